// The main script of the self-contained executable (scripts/package.mjs). The lvmsnap bundle itself is
// an asset of the executable, compiled here with V8's code cache of a training run (scripts/sea/train.cjs):
// unlike the cache node makes for a SEA main script (compiled, never run: only the top level), it holds
// every function that --version and an apply ran, so those start without parsing or compiling them.
// Should V8 refuse the cache (another node, other V8 flags), the bundle is compiled as usual.
'use strict';
const { getAsset } = require('node:sea');
const { Script } = require('node:vm');

const script = new Script(getAsset('lvmsnap.js', 'utf8'), { filename: __filename, cachedData: new Uint8Array(getAsset('lvmsnap.cache')) });
script.runInThisContext()(exports, require, module, __filename, __dirname);
