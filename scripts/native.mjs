// The native add-on (src/native/sys.c): lvmsnap-sys.node, built with the C compiler (no Node headers
// needed). Used by scripts/package.mjs (dist/lvmsnap-sys.node, installed by the .deb beside the executable)
// and the add-on's tests.
//   buildNative(out)
import { compileC } from './cc.mjs';

const root = new URL('..', import.meta.url).pathname;

export function buildNative(out) {
  // -lc so the object records its libc dependency (dpkg-shlibdeps); Node-API's symbols resolve against the
  // executable at load time.
  compileC(['-fPIC', '-shared', '-fvisibility=hidden', '-o', out, `${root}src/native/sys.c`, '-lc']);
}
