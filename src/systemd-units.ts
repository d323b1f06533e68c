// systemd names lvmsnap needs for its shutdown guard, all pure: `systemd-escape --path` and the guard's
// instance name for a tmp file's directory. A leaf module (like pv-uuid.ts): observation and the planner use it.
import { posix } from 'node:path';
import { UsageError } from './errors.js';

/** Directory that exists exactly when systemd is PID 1 (sd_booted(3)). */
export const SYSTEMD_RUN_DIR = '/run/systemd/system';
/** Template of the shutdown guard (shipped by `lvmsnap systemd install`); its ExecStop runs `lvmsnap recover`. */
export const GUARD_TEMPLATE = 'lvmsnap-guard@.service';
/** The boot-time unit that runs `lvmsnap recover` early at boot. */
export const RECOVER_UNIT = 'lvmsnap-recover.service';

const VALID = /^[A-Za-z0-9:_.]$/;
const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/**
 * `systemd-escape --path PATH`: simplify (drop "//", "/./", trailing "/"), "/" itself is "-", strip the
 * leading "/", "/" becomes "-", every byte outside [A-Za-z0-9:_.] (and a leading ".") becomes \xNN.
 * Returns null where systemd-escape refuses (relative paths, ".." segments).
 */
export function escapePath(path: string): string | null {
  if (!path.startsWith('/')) return null;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  if (parts.length === 0) return '-';
  const bytes = Buffer.from(parts.join('/'), 'utf8');
  let out = '';
  for (const [i, b] of bytes.entries()) {
    const c = String.fromCharCode(b);
    if (c === '/') out += '-';
    else if (b < 0x80 && VALID.test(c) && !(i === 0 && c === '.')) out += c;
    else out += hex(b);
  }
  return out;
}

/** `lvmsnap-guard@<escaped dir>.service` for the directory holding the tmp file. */
export function guardUnitFor(tmpFile: string): string {
  const escaped = escapePath(posix.dirname(tmpFile));
  if (escaped === null) throw new UsageError(`systemd cannot name the directory of ${tmpFile} (systemd-escape --path refuses it)`);
  return GUARD_TEMPLATE.replace('@.', `@${escaped}.`);
}

