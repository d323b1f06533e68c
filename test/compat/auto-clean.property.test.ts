// auto-clean on random backup directories: what stays is exactly what backups prune's rotation keeps
// (decide() with the four limits), the newest file of each of a limit's N most recent periods stays, and
// no other file is touched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatStamp, parseArchiveName, stampOf } from '../../src/backup/names.js';
import { decide, PERIOD } from '../../src/backup/rotation.js';
import { autoClean } from '../../src/compat/manage-backups.js';
import { addFile } from '../../src/sim/build.js';
import { SimHost } from '../../src/sim/host.js';
import { DEST, system } from '../backup/helpers.js';

const NOW = new Date(2026, 10, 30, 12, 0, 0);
const EXT = 'fsa.gz';
const names = (hoursAgo: readonly number[]): string[] =>
  [...new Set(hoursAgo.map((h) => `sd__${formatStamp(stampOf(new Date(NOW.getTime() - h * 3_600_000)))}.${EXT}`))];

describe('auto-clean property', () => {
  it('keeps decide()\'s set and each limit\'s newest per period, leaves other files alone', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 24 * 900 }), { minLength: 0, maxLength: 25 }),
      fc.record({ daily: fc.nat(6), weekly: fc.nat(4), monthly: fc.nat(7), yearly: fc.nat(2) }).filter((k) => k.daily + k.weekly + k.monthly + k.yearly > 0),
      async (hours, keep) => {
        const files = names(hours);
        const others = ['sd__20200101_000000.tar.gz', 'xx__20200101_000000.fsa.gz'];
        let s = system();
        for (const n of [...files, ...others]) s = addFile(s, `${DEST}/${n}`, 1);
        const host = new SimHost(s);
        const r = await autoClean(host, { dir: DEST, prefix: 'sd', extension: EXT, keep, dry: false }, NOW);
        expect(r.exitCode).toBe(0);
        const left = Object.keys(host.system.paths).filter((p) => p.startsWith(`${DEST}/`)).map((p) => p.slice(DEST.length + 1)).sort();
        const dated = files.map((name) => ({ name, stamp: parseArchiveName(name, 'sd', EXT)! }));
        const kept = decide(dated, keep, NOW).filter((d) => d.keep).map((d) => d.name);
        expect(left).toEqual([...kept, ...others].sort());
        for (const b of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
          const periods = new Set(dated.filter((d) => kept.includes(d.name)).map((d) => PERIOD[b](d.stamp)));
          // The newest file of each of the limit's N most recent periods is kept.
          const newestPeriods = [...new Set([...dated].sort((x, y) => (x.name < y.name ? 1 : -1)).map((d) => PERIOD[b](d.stamp)))].slice(0, keep[b]);
          for (const p of newestPeriods) expect(periods.has(p)).toBe(true);
        }
        expect(r.stdout.trim().split('\n').at(-1)).toBe(`Removed ${files.length - kept.length} old backup files.`);
      },
    ), { numRuns: 60 });
  });
});
