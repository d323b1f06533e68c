#!/usr/bin/env node
// The lvmsnap command: one CommonJS bundle (Node starts it faster than ES modules). Its compiled code is
// kept between runs: Node >= 22.1 does it itself (module.enableCompileCache); on older Node this file
// keeps V8's code cache of the bundle next to it (see README "Start-up").
'use strict';
const Module = require('node:module');

// apply, plan and status ask LVM anyway: lvm2's shell starts now (a small file), so its start runs
// while Node compiles the bundle (src/host-real-early.ts; the run adopts it, or closes it unused).
if (/^(apply|plan|status)$/.test(process.argv[2] ?? '') && !process.env.LVMSNAP_SIMULATOR) require('../dist/early.cjs').startEarlyLvm(process.argv.slice(2));

const bundle = require('node:path').join(__dirname, '../dist/lvmsnap.cjs');
if (typeof Module.enableCompileCache === 'function') {
  try {
    Module.enableCompileCache();
  } catch {
    /* no writable cache directory: run uncached */
  }
} else {
  try {
    useCodeCache(bundle);
  } catch {
    /* anything unexpected: run uncached */
  }
}
require(bundle);

/**
 * Node < 22.1: compile the bundle with V8's code cache from `dist/lvmsnap.cjs.v8cache` and, when there
 * was none, V8 refused it or it came from a lesser run, write one at exit (after the run, so it holds the
 * functions the run compiled). The cache's header names this Node, and the bundle file by device, inode, size and ctime
 * (which no write leaves unchanged): a cache of another build or Node is never used. Written only where
 * the bundle's directory is writable (by whoever could replace the bundle itself), atomically; a cache
 * file not owned by this user or the bundle's owner, or writable by others, is ignored.
 */
function useCodeCache(file) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const cacheFile = `${file}.v8cache`;
  const st = fs.statSync(file, { bigint: true });
  const key = Buffer.from(`lvmsnap-v8cache ${process.version} ${process.arch} ${st.dev} ${st.ino} ${st.size} ${st.ctimeNs} `);
  // The cache holds what its run compiled: one from an apply/plan/status run (most of the bundle) is
  // kept, one from any other run (--version, --help) is replaced by the next apply/plan/status's.
  const hot = /^(apply|plan|status)$/.test(process.argv[2] ?? '') ? 'H' : 'O';
  const header = Buffer.concat([key, Buffer.from(`${hot}\n`)]);
  let cached;
  let replace = true;
  try {
    const c = fs.statSync(cacheFile);
    const uid = process.getuid?.();
    if ((c.uid === uid || BigInt(c.uid) === st.uid) && (c.mode & 0o022) === 0) {
      const data = fs.readFileSync(cacheFile);
      if (data.subarray(0, key.length).equals(key) && data[key.length + 1] === 0x0a) {
        cached = data.subarray(header.length);
        replace = hot === 'H' && data[key.length] !== 0x48; // 'H'
      }
    }
  } catch {
    /* no cache yet */
  }
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (filename !== file) return compile.call(this, content, filename);
    Module.prototype._compile = compile;
    const script = new vm.Script(Module.wrap(content), { filename, ...(cached ? { cachedData: cached } : {}) });
    if (replace || script.cachedDataRejected) {
      process.once('exit', () => {
        const tmp = `${cacheFile}.tmp-${process.pid}`;
        try {
          fs.writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]), { mode: 0o644 });
          fs.renameSync(tmp, cacheFile);
        } catch {
          try { fs.unlinkSync(tmp); } catch { /* never written */ }
        }
      });
    }
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, Module.createRequire(filename), this, filename, require('node:path').dirname(filename));
  };
}
