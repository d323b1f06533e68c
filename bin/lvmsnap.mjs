#!/usr/bin/env node
// Same as bin/lvmsnap.cjs, for callers that name this file; starting through an ES module costs Node
// some milliseconds more, so bin/lvmsnap.cjs is the installed command.
import module from 'node:module';

try {
  module.enableCompileCache?.();
} catch {
  /* no writable cache directory: run uncached */
}
await import('../dist/lvmsnap.mjs');
