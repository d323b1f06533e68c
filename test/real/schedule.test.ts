// The real-LVM tier's lanes and timeouts (test/real/schedule.ts): the committed measurements must keep
// .ci/run inside its budget, and the packing itself must be balanced and keep what must stay together.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { budget, CI_LIMIT_S, makePlan, measure, SLOWER, tierItems, type Tier, type Timings } from './schedule.js';

const here = new URL('.', import.meta.url).pathname;
const tier: Tier = JSON.parse(readFileSync(join(here, 'tier.json'), 'utf8'));
const timings: Timings = JSON.parse(readFileSync(join(here, 'timings.json'), 'utf8'));

describe('the committed tier fits its budget', () => {
  const plan = makePlan(tier, timings);

  it('every item of tier.json has a measured duration', () => {
    expect(plan.unmeasured).toEqual([]);
  });

  it('every boot has at least 2x its expected duration as timeout', () => {
    for (const b of plan.lanes.flatMap((l) => l.boots)) expect(b.timeout).toBeGreaterThanOrEqual(2 * b.expected);
  });

  it(`.ci/run stays under 45 minutes on a machine ${SLOWER}x slower, and under the 90-minute kill even if every boot hits its timeout`, () => {
    const b = budget(plan, timings);
    expect(b.slowerCiS).toBeLessThanOrEqual(CI_LIMIT_S);
    expect(b.worstCiS).toBeLessThanOrEqual(90 * 60);
  });

  it('no lane dominates: the longest is within the largest single item of the mean', () => {
    const loads = plan.lanes.map((l) => l.expected);
    const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
    const biggest = Math.max(...Object.values(timings.specs ?? {}), ...Object.values(timings.boots ?? {}).map((b) => b + (timings.bootOverheadS ?? 0)));
    expect(Math.max(...loads)).toBeLessThanOrEqual(mean + biggest);
  });

  it('every item runs exactly once', () => {
    const specs = plan.lanes.flatMap((l) => l.boots.flatMap((b) => b.specs ?? []));
    const ks: number[] = [];
    for (const s of specs.filter((x) => x.startsWith('crash:'))) {
      const [, , from, to] = s.split(':').map(Number);
      for (let k = from!; k <= (to === 0 ? tier.crash.k : to!); k++) ks.push(k);
    }
    expect(ks.sort((a, b) => a - b)).toEqual(Array.from({ length: tier.crash.k }, (_, i) => i + 1));
    expect(specs.filter((x) => !x.startsWith('crash:')).sort()).toEqual([...tier.specs].sort());
    const seqBoots = plan.lanes.flatMap((l) => l.boots.filter((b) => b.sequence).map((b) => b.boot));
    expect(seqBoots.sort()).toEqual(Object.values(tier.sequences ?? {}).flat().sort());
  });
});

describe('makePlan', () => {
  const small: Tier = { lanes: 2, specs: ['a:1', 'a:2', 'b'], crash: { chain: 'tmp', k: 4 }, sequences: { reboot: ['reboot-1', 'reboot-2'] } };
  const t: Timings = { bootOverheadS: 10, specs: { 'a:1': 100, 'a:2': 100, b: 50, 'crash:tmp:1': 40, 'crash:tmp:2': 40, 'crash:tmp:3': 40, 'crash:tmp:4': 40 }, boots: { 'reboot-1': 60, 'reboot-2': 70 } };

  it('keeps a sequence whole, in order, in one lane', () => {
    const plan = makePlan(small, t);
    const lanes = plan.lanes.filter((l) => l.boots.some((b) => b.sequence));
    expect(lanes).toHaveLength(1);
    expect(lanes[0]!.boots.filter((b) => b.sequence).map((b) => b.boot)).toEqual(['reboot-1', 'reboot-2']);
  });

  it('joins consecutive crash ks into ranges and lets the highest k run until both directions complete', () => {
    const plan = makePlan({ ...small, sequences: {} }, t, 1);
    expect(plan.lanes[0]!.boots[0]!.specs!.filter((s) => s.startsWith('crash:'))).toEqual(['crash:tmp:1:0']);
  });

  it('balances by cost: two lanes of a 2x300 s load get about 300 s each', () => {
    const plan = makePlan(small, t);
    const loads = plan.lanes.map((l) => l.expected);
    expect(Math.abs(loads[0]! - loads[1]!)).toBeLessThanOrEqual(100);
  });

  it('a sequence boot measured as a whole is costed by that, not by the lanes\' boot overhead', () => {
    const plan = makePlan(small, { ...t, wholeBoots: { 'reboot-1': 200 } });
    const boots = plan.lanes.flatMap((l) => l.boots);
    expect(boots.find((b) => b.boot === 'reboot-1')!.expected).toBe(200);
    expect(boots.find((b) => b.boot === 'reboot-2')!.expected).toBe(10 + 70);
  });

  it('an unmeasured item is named and costed like its kind', () => {
    const plan = makePlan({ ...small, specs: [...small.specs, 'a:3'] }, t);
    expect(plan.unmeasured).toEqual(['a:3']);
    expect(tierItems(small)).toHaveLength(3 + 4 + 1);
  });
});

describe('measure', () => {
  it('reads spec, crash-k and sequence-boot durations and the boot overhead from a results folder', () => {
    const r = mkdtempSync(join(tmpdir(), 'tier-'));
    mkdirSync(join(r, 'a'));
    mkdirSync(join(r, 'reboot-1'));
    writeFileSync(join(r, 'a.boot'), '130 300 120 0\n');
    writeFileSync(join(r, 'a', 'results.tsv'), 'crash-tmp-present-k1\tPASS\t30.0\t\ncrash-tmp-absent-k1\tPASS\t20.0\t\nbasic-ext4-tmp\tPASS\t60.0\t\n');
    writeFileSync(join(r, 'a', 'specs.tsv'), 'crash:tmp:1:1\t50.5\nbasic:ext4:tmp\t61.0\n');
    writeFileSync(join(r, 'reboot-1.boot'), '80 300 40 0\n');
    writeFileSync(join(r, 'reboot-1', 'results.tsv'), 'reboot-boot1\tPASS\t35.0\t\n');
    writeFileSync(join(r, 'tier.time'), '400 330 200\n');
    const m = measure(r);
    expect(m.specs).toEqual({ 'crash:tmp:1': 50, 'basic:ext4:tmp': 61 });
    expect(m.boots).toEqual({ 'reboot-1': 35 });
    expect(m.wholeBoots).toEqual({ 'reboot-1': 80 });
    // from the lane boots only: reboot-1's own boot (45 s, like a systemd guest's) is in its whole-boot figure
    expect(m.bootOverheadS).toBe(20);
    expect(m.tierFixedS).toBe(70);
    expect(m.ciOtherS).toBe(200);
  });
});
