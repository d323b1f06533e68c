#!/usr/bin/env node
// The lvmsnap command: one CommonJS bundle (Node starts it faster than ES modules). Node >= 22.1 also
// keeps its compiled code between runs; older Node runs without (a hand-made V8 code cache measured no
// clear win on Node 20, see README "Start-up").
'use strict';
const module_ = require('node:module');

try {
  module_.enableCompileCache?.();
} catch {
  /* no writable cache directory: run uncached */
}
require('../dist/lvmsnap.cjs');
