// The main script of the self-contained executable (scripts/package.mjs). lvmsnap's bundles are assets of
// the executable: the hot path (lvmsnap.cjs) and the chunks it loads on demand (chunks/NAME.cjs, which it
// requires as ./chunks/NAME.cjs, and they each other as ./NAME.cjs), split as in the regular build. Each is
// compiled with V8's code cache of a training run (scripts/sea/train.cjs, which loads them the same way):
// unlike the cache node makes for a SEA main script (compiled, never run: only the top level), it holds
// every function those runs ran, so they start without parsing or compiling them. Should V8 refuse a cache
// (another node, other V8 flags), that bundle is compiled as usual.
'use strict';
const { getAsset } = require('node:sea');
const { Script } = require('node:vm');

const loaded = new Map();
const CHUNK = /^\.\/(?:chunks\/)?(\w+)\.cjs$/;

function load(name) {
  let m = loaded.get(name);
  if (m) return m.exports;
  m = { exports: {} };
  loaded.set(name, m);
  const script = new Script(getAsset(name, 'utf8'), { filename: __filename, cachedData: new Uint8Array(getAsset(`${name}.cache`)) });
  script.runInThisContext()(m.exports, requireChunkOr, m, __filename, __dirname);
  return m.exports;
}

function requireChunkOr(specifier) {
  const chunk = CHUNK.exec(specifier);
  return chunk ? load(`chunks/${chunk[1]}.cjs`) : require(specifier);
}

// An apply's (or status's) report is asked before the bundle is compiled (src/host-real-prefetch.ts, as bin/lvmsnap.cjs
// does it): a small script, compiled without a cache.
if ((process.argv[2] === 'apply' || process.argv[2] === 'status') && !process.env.LVMSNAP_SIMULATOR) {
  const m = { exports: {} };
  new Script(getAsset('early.cjs', 'utf8'), { filename: __filename }).runInThisContext()(m.exports, require, m, __filename, __dirname);
  m.exports.startPrefetch(process.argv.slice(2));
}
load('lvmsnap.cjs');
