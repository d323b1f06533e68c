#!/usr/bin/env node
import '../dist/lvmsnap.mjs';
