// Rotation and names: a property test against a simple reference model over generated dated names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archiveName, dateOf, freshName, parseArchiveName, splitArchiveName, stampOf, type Stamp } from '../../src/backup/names.js';
import { BUCKETS, decide, isoWeek, parseDuration, type Bucket, type KeepRules } from '../../src/backup/rotation.js';

const stampArb: fc.Arbitrary<Stamp> = fc
  .date({ min: new Date(2019, 0, 1), max: new Date(2027, 0, 1), noInvalidDate: true })
  .map((d) => stampOf(d));

/** Reference model: group by period, take the N most recent periods, keep the newest archive of each. */
function referenceKeep(names: readonly { name: string; stamp: Stamp }[], rules: KeepRules, now: Date): Set<string> {
  const key: Record<Bucket, (s: Stamp) => string> = {
    daily: (s) => `${s.year}-${s.month}-${s.day}`,
    weekly: (s) => {
      // ISO week by brute force: the Thursday of the week names the year; count Thursdays.
      const d = dateOf({ ...s, hour: 12, minute: 0, second: 0 });
      const thursday = new Date(d.getTime() + (3 - ((d.getDay() + 6) % 7)) * 86_400_000);
      let n = 0;
      for (let t = new Date(thursday); t.getFullYear() === thursday.getFullYear(); t = new Date(t.getTime() - 7 * 86_400_000)) n++;
      return `${thursday.getFullYear()}/${n}`;
    },
    monthly: (s) => `${s.year}-${s.month}`,
    yearly: (s) => `${s.year}`,
  };
  const keep = new Set<string>();
  for (const b of BUCKETS) {
    const n = rules[b] ?? 0;
    const groups = new Map<string, { name: string; t: number }[]>();
    for (const a of names) {
      const k = key[b](a.stamp);
      groups.set(k, [...(groups.get(k) ?? []), { name: a.name, t: dateOf(a.stamp).getTime() }]);
    }
    const newestOf = [...groups.values()].map((g) => g.sort((x, y) => y.t - x.t || (x.name < y.name ? 1 : -1))[0]!);
    newestOf.sort((x, y) => y.t - x.t || (x.name < y.name ? 1 : -1));
    for (const a of newestOf.slice(0, n)) keep.add(a.name);
  }
  if ((rules.withinSeconds ?? 0) > 0) for (const a of names) if (now.getTime() - dateOf(a.stamp).getTime() < (rules.withinSeconds ?? 0) * 1000) keep.add(a.name);
  return keep;
}

const rulesArb: fc.Arbitrary<KeepRules> = fc.record({
  daily: fc.nat(8), weekly: fc.nat(5), monthly: fc.nat(8), yearly: fc.nat(3),
  withinSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 * 86_400 })),
});

describe('rotation', () => {
  it('keeps exactly what the reference model keeps (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(stampArb, { minLength: 0, maxLength: 60, selector: (s) => archiveName('p', s, 'tar.zst') }), rulesArb, stampArb, (stamps, rules, nowStamp) => {
        const archives = stamps.map((stamp) => ({ name: archiveName('p', stamp, 'tar.zst'), stamp }));
        const now = dateOf(nowStamp);
        const got = decide(archives, rules, now);
        const want = referenceKeep(archives, rules, now);
        expect(new Set(got.filter((d) => d.keep).map((d) => d.name))).toEqual(want);
        expect(got).toHaveLength(archives.length);
        for (const d of got) expect(d.keep).toBe(d.reasons.length > 0);
      }),
      { numRuns: 400 },
    );
  });

  it('enforces every bucket limit: 10 days of two daily backups, keep-daily 3 keeps 3 files', () => {
    const archives = Array.from({ length: 20 }, (_, i) => {
      const stamp = stampOf(new Date(2026, 10, 1 + Math.floor(i / 2), i % 2 ? 18 : 6, 0, 0));
      return { name: archiveName('root', stamp, 'tar.zst'), stamp };
    });
    const kept = decide(archives, { daily: 3 }, new Date(2026, 11, 1)).filter((d) => d.keep).map((d) => d.name);
    expect(kept).toEqual(['root__20261110_180000.tar.zst', 'root__20261109_180000.tar.zst', 'root__20261108_180000.tar.zst']);
    expect(decide(archives, {}, new Date()).every((d) => !d.keep)).toBe(true);
  });

  it('ISO weeks at year boundaries', () => {
    const s = (y: number, m: number, d: number): Stamp => ({ year: y, month: m, day: d, hour: 0, minute: 0, second: 0 });
    expect(isoWeek(s(2026, 1, 1))).toBe('2026-W01');
    expect(isoWeek(s(2027, 1, 1))).toBe('2026-W53');
    expect(isoWeek(s(2024, 12, 30))).toBe('2025-W01');
    expect(isoWeek(s(2021, 1, 3))).toBe('2020-W53');
  });

  it('durations', () => {
    expect(parseDuration('36h')).toBe(36 * 3600);
    expect(parseDuration('2w')).toBe(14 * 86_400);
    expect(parseDuration('7')).toBeNull();
    expect(parseDuration('-1d')).toBeNull();
  });
});

describe('archive names', () => {
  it('round-trip through parse (property), and only exact names of this prefix and extension match', () => {
    fc.assert(fc.property(stampArb, (stamp) => {
      const name = archiveName('host-root', stamp, 'tar.zst');
      expect(name).toMatch(/^host-root__\d{8}_\d{6}\.tar\.zst$/);
      expect(parseArchiveName(name, 'host-root', 'tar.zst')).toEqual(stamp);
      expect(parseArchiveName(name, 'host', 'tar.zst')).toBeNull();
      expect(parseArchiveName(name, 'host-root', 'zst')).toBeNull();
      expect(parseArchiveName(`${name}.partial`, 'host-root', 'tar.zst')).toBeNull();
      expect(splitArchiveName(name, ['tar.zst', 'img.zst'])).toEqual({ prefix: 'host-root', stamp, ext: 'tar.zst' });
    }));
    expect(parseArchiveName('p__20260231_120000.tar.zst', 'p', 'tar.zst')).toBeNull();
  });

  it('no collision within a second: a taken name (or its leftover) moves to the next free second', () => {
    const now = new Date(2026, 10, 30, 23, 59, 59);
    expect(freshName('p', 'tar.zst', now, new Set())).toBe('p__20261130_235959.tar.zst');
    expect(freshName('p', 'tar.zst', now, new Set(['p__20261130_235959.tar.zst.partial']))).toBe('p__20261201_000000.tar.zst');
    expect(freshName('p', 'tar.zst', now, new Set(['p__20261130_235959.tar.zst', 'p__20261201_000000.tar.zst']))).toBe('p__20261201_000001.tar.zst');
  });
});
