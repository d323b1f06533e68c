// The native add-on (src/native/sys.c): lvmsnap-sys.node, built with the C compiler (no Node headers
// needed). Used by scripts/package.mjs (dist/lvmsnap-sys.node, installed by the .deb beside the executable)
// and the add-on's tests.
//   buildNative(out)
import { execFileSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;

export function buildNative(out) {
  // Debian's hardening flags (lintian checks them on the .deb), stripped (-s); -lc so the object records
  // its libc dependency (dpkg-shlibdeps). Node-API's symbols resolve against the executable at load time.
  execFileSync(process.env['CC'] ?? 'cc', [
    '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-fPIC', '-shared',
    '-fvisibility=hidden', '-Wl,-z,relro,-z,now', '-s', '-o', out, `${root}src/native/sys.c`, '-lc',
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
}
