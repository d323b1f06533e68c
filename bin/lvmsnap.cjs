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
// An apply's or status's report: lvm2's shell starts now and is asked for it (a small file, src/host-real-prefetch.ts),
// so lvm works while Node compiles the bundle; the run uses that report only if no lock was taken meanwhile.
if ((process.argv[2] === 'apply' || process.argv[2] === 'status') && !process.env.LVMSNAP_SIMULATOR) require('../dist/early.cjs').startPrefetch(process.argv.slice(2));
require('../dist/lvmsnap.cjs');
