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
// apply, plan and status ask LVM anyway: lvm2's shell starts now (a small file), so its start runs
// while Node compiles the bundle (src/host-real-early.ts; the run adopts it, or closes it unused).
if (/^(apply|plan|status)$/.test(process.argv[2] ?? '') && !process.env.LVMSNAP_SIMULATOR) require('../dist/early.cjs').startEarlyLvm(process.argv.slice(2));
require('../dist/lvmsnap.cjs');
