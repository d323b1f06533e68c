// Reads the kernel views captured in the VM (test/real/tools/capture-guest.sh kernel_views, and the
// real tier's capture_state in test/real/lib.sh): the sysfs dump is `head -v` of
// /sys/block/loopN/{dev,size,loop/*}, turned back into HostPort's shape.
import type { SysfsLoop } from '../../src/port.js';
import { fixture } from './fixtures.js';

export function parseHeadDump(text: string, what = 'sysfs dump'): SysfsLoop[] {
  const byDev = new Map<string, Record<string, string>>();
  if (text.trim() === '') return [];
  // Blocks: "==> /sys/block/loopN/FILE <==\nCONTENT", separated by the blank line head adds.
  for (const block of text.split(/\n(?===> )/)) {
    const m = /^==> \/sys\/block\/(loop\d+)\/(\S+) <==\n([\s\S]*)$/.exec(block);
    if (!m) throw new Error(`${what}: cannot read block ${JSON.stringify(block.slice(0, 60))}`);
    // head separates files with one blank line: strip it, keep the kernel's own final newline.
    const content = m[3]!.endsWith('\n\n') ? m[3]!.slice(0, -1) : m[3]!;
    const files = byDev.get(m[1]!) ?? {};
    files[m[2]!] = content;
    byDev.set(m[1]!, files);
  }
  return [...byDev].map(([n, files]) => ({ name: n, files }));
}

export const sysfsFixture = (name: string): SysfsLoop[] => parseHeadDump(fixture(name), name);
