// In the VM, at one moment (test/real/tools/capture-guest.sh): node's fs.lstat / fs.statfs, which
// RealHost.lstat / statfsAvail use, against stat(1) and df(1), which lvmsnap ran before.
import { describe, expect, it } from 'vitest';
import { parseStat } from '../../src/parse/index.js';
import { fixture } from './fixtures.js';

describe.each(['kernel', 'kernel-extras'])('node fs vs stat/df in the VM (%s)', (name) => {
  const node = JSON.parse(fixture(`${name}.node-stat.json`)) as Record<string, { dev: number; ino: number; size: number; bavail: number; bsize: number }>;
  it('lstat: the same dev, inode and size as stat %d %i %s', () => {
    const rows = parseStat(fixture(`${name}.stat.txt`));
    expect(rows.length).toBe(5);
    for (const r of rows) expect({ dev: node[r.path]!.dev, ino: node[r.path]!.ino, size: node[r.path]!.size }).toEqual({ dev: r.dev, ino: r.ino, size: r.size });
  });
  it('statfs: f_bavail x f_bsize is df\'s Avail', () => {
    const avail = Number(fixture(`${name}.df.txt`).trim().split('\n')[1]!.trim().split(/\s+/)[2]);
    expect(node['statfs']!.bavail * node['statfs']!.bsize).toBe(avail);
  });
});
