#!/usr/bin/env node
// Node >= 22.1 keeps compiled code between runs (faster start-up); older Node runs without it.
import module from 'node:module';

try {
  module.enableCompileCache?.();
} catch {
  /* no writable cache directory: run uncached */
}
await import('../dist/lvmsnap.mjs');
