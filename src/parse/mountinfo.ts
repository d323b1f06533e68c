// Parses /proc/self/mountinfo (proc(5)) into the same mounts `findmnt --json` listed, in the kernel's
// order (mount order: a mount stacked on another comes after it).
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   ID PARENT MAJ:MIN ROOT TARGET PER-MOUNT-OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS
import type { ObservedMount } from '../types.js';
import { fail, splitList } from './util.js';

const CMD = '/proc/self/mountinfo';

/** The kernel escapes space, tab, newline and backslash (and '#' in sources) as \ooo octal. */
export function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/**
 * The options findmnt prints: the per-mount (VFS) options, then the superblock's own options without
 * their rw/ro (libmount's merge: the per-mount rw/ro is the one that counts for this mount point).
 */
export function mergeOptions(perMount: string, superOpts: string): string[] {
  const sb = splitList(superOpts).filter((o) => o !== 'rw' && o !== 'ro');
  return [...splitList(perMount), ...sb];
}

export function parseMountinfo(text: string): ObservedMount[] {
  const out: ObservedMount[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || f.length !== sep + 4) fail(CMD, 'expected "ID PARENT MAJ:MIN ROOT TARGET OPTIONS ... - FSTYPE SOURCE OPTIONS"', line);
    const majMin = f[2]!;
    if (!/^\d+:\d+$/.test(majMin)) fail(CMD, 'field 3 is not MAJ:MIN', line);
    const target = unescapeOctal(f[4]!);
    if (!target.startsWith('/')) fail(CMD, 'mount point is not an absolute path', line);
    out.push({
      target,
      source: unescapeOctal(f[sep + 2]!),
      fstype: unescapeOctal(f[sep + 1]!),
      options: mergeOptions(f[5]!, f[sep + 3]!),
      majMin,
    });
  }
  return out;
}
