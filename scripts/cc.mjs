// The C compiler as lvmsnap's two C programs need it (the launcher, scripts/launcher.mjs; the native
// add-on, scripts/native.mjs): Debian's hardening flags (lintian checks them on the .deb), warnings as
// errors, stripped (-s). $CC chooses another compiler.
import { execFileSync } from 'node:child_process';

const HARDENED = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-Wl,-z,relro,-z,now', '-s'];

/** cc with those flags, then ARGS (the kind of output, -o, sources, libraries). */
export function compileC(args) {
  execFileSync(process.env['CC'] ?? 'cc', [...HARDENED, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}
