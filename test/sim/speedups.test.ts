// The simulator's fast paths against the straightforward code they replace: edit()/setFields() against
// immer's produce(), normPath's shortcut, rowFormat against building the row object, and caches that
// must never serve an unfrozen (mutable) system. golden.test.ts pins the whole; these pin the pieces.
import fc from 'fast-check';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import * as C from '../../src/commands.js';
import { REMOVE, edit, setFields, type Edits } from '../../src/sim/edit.js';
import { exec, simpleSystem, type SimSystem } from '../../src/sim/model.js';
import { LV_FIELDS, SEG_FIELDS, rowFormat } from '../../src/sim/report-fields.js';
import { normPath } from '../../src/sim/state.js';
import { deepFrozen } from './golden/replay.js';

const TOPS = ['locks', 'stateFiles', 'paths', 'inodes', 'loops', 'counters', 'lvs'] as const;
type Top = (typeof TOPS)[number];
type Val = { kind: 'same' } | { kind: 'remove' } | { kind: 'prim'; v: number | string | null } | { kind: 'obj'; v: number };
interface Op { top: Top; key: number | string; val: Val }

const opArb: fc.Arbitrary<Op> = fc.record({
  top: fc.constantFrom(...TOPS),
  key: fc.oneof(fc.nat(12), fc.constantFrom('/run/lock', '/x', 'ino', 'uuid', '1001', '/dev/loop0', '/var/space')),
  val: fc.oneof(
    fc.constant<Val>({ kind: 'same' }), fc.constant<Val>({ kind: 'remove' }),
    fc.oneof(fc.integer(), fc.string(), fc.constant(null)).map((v): Val => ({ kind: 'prim', v })),
    fc.nat().map((v): Val => ({ kind: 'obj', v })),
  ),
});

const keyOf = (s: SimSystem, op: Op): string => {
  const keys = Object.keys(s[op.top]);
  return typeof op.key === 'number' && keys.length ? keys[op.key % keys.length]! : String(op.key);
};
const valueOf = (s: SimSystem, op: Op, k: string): unknown => {
  switch (op.val.kind) {
    case 'same': return (s[op.top] as Record<string, unknown>)[k];
    case 'remove': return REMOVE;
    case 'prim': return op.val.v;
    case 'obj': return { n: op.val.v, nested: { list: [op.val.v] } };
  }
};

/** The same edits, once through produce() and once through edit(); each on its own base. */
function both(mk: () => SimSystem, ops: readonly Op[], replaceMounts: boolean) {
  const run = (useEdit: boolean) => {
    const base = mk();
    const steps = ops.map((op) => { const k = keyOf(base, op); return [op.top, k, valueOf(base, op, k)] as const; });
    const mounts = replaceMounts ? [...base.mounts.slice(1), { target: '/x', fs: 'root', options: 'rw', fstab: false }] : undefined;
    let out: SimSystem;
    if (useEdit) {
      const edits: Record<string, Record<string, unknown>> = {};
      for (const [top, k, v] of steps) (edits[top] ??= {})[k] = v;
      out = edit(base, edits as Edits, mounts ? { mounts } : {});
    } else {
      // One assignment per key, last wins (as the Edits record keeps them).
      const last = new Map(steps.map(([top, k, v]) => [`${top}\0${k}`, [top, k, v] as const]));
      const ordered = [...new Set(steps.map(([top]) => top))].flatMap((top) =>
        [...new Set(steps.filter(([t]) => t === top).map(([, k]) => k))].map((k) => last.get(`${top}\0${k}`)!));
      out = produce(base, (d) => {
        if (mounts) d.mounts = mounts;
        for (const [top, k, v] of ordered) {
          const m = d[top] as Record<string, unknown>;
          if (v === REMOVE) delete m[k]; else m[k] = v;
        }
      });
    }
    const shared = Object.fromEntries(Object.keys(out).map((k) => [k, out[k as keyof SimSystem] === base[k as keyof SimSystem]]));
    return { json: JSON.stringify(out), keys: JSON.stringify(Object.keys(out).map((k) => [k, Object.keys(out[k as keyof SimSystem] ?? {})])),
      same: out === base, shared, frozen: deepFrozen(out), baseFrozen: deepFrozen(base) };
  };
  return [run(false), run(true)] as const;
}

describe('edit() is produce() without drafts', () => {
  const frozen = simpleSystem();
  const sources: [string, () => SimSystem][] = [
    ['frozen', () => frozen],
    ['unfrozen (parsed)', () => JSON.parse(JSON.stringify(frozen)) as SimSystem],
  ];
  it.each(sources)('%s base: same JSON and key order, same sharing and identity, same freezing', (_n, mk) => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 6 }), fc.boolean(), (ops, replaceMounts) => {
      const [viaProduce, viaEdit] = both(mk, ops, replaceMounts);
      expect(viaEdit).toEqual(viaProduce);
    }), { numRuns: 400 });
  });

  it('setFields: the object itself when nothing changes, else a spread copy like a draft would give', () => {
    const val = fc.oneof(fc.integer(), fc.constant(undefined), fc.constant(null), fc.constant(Number.NaN), fc.constant(-0), fc.string({ maxLength: 2 }));
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c'), val), fc.dictionary(fc.constantFrom('a', 'b', 'd'), val), (o, fields) => {
      const a = produce(o, (d: Record<string, unknown>) => { for (const [k, v] of Object.entries(fields)) d[k] = v; });
      const b = setFields(o, fields);
      expect(b === o).toBe(a === o);
      // immer writes -0 over 0 as +0 (a quirk, found by a random seed); setFields keeps the -0 it was given
      const zero = (e: [string, unknown][]) => e.map(([k, v]) => [k, Object.is(v, -0) ? 0 : v]);
      expect(zero(Object.entries(b))).toEqual(zero(Object.entries(a)));
    }), { numRuns: 500 });
  });
});

describe('normPath shortcut', () => {
  const slow = (p: string): string => {
    const out: string[] = [];
    for (const s of p.split('/').filter((x) => x !== '' && x !== '.')) if (s === '..') out.pop(); else out.push(s);
    return `/${out.join('/')}`;
  };
  it('agrees with the segment-by-segment normalisation', () => {
    const seg = fc.constantFrom('', '.', '..', 'a', 'b.c', '.d', '..e', 'f..', '...', 'dev', 'loop0');
    fc.assert(fc.property(fc.array(seg, { maxLength: 6 }), fc.boolean(), (segs, abs) => {
      const p = `${abs ? '/' : ''}${segs.join('/')}`;
      expect(normPath(p)).toBe(slow(p));
    }), { numRuns: 3000 });
    for (const p of ['', '/', '//', '/.', '/..', 'a', '/a/', '/a/.', '/a/..', '/a//b', '/./a']) expect(normPath(p)).toBe(slow(p));
  });
});

describe('rowFormat', () => {
  const old = (fields: ReadonlyArray<readonly [string, string]>, values: Record<string, string | undefined>): string => {
    const row: Record<string, string> = {};
    for (const [k, def] of fields) row[k] = values[k] ?? def;
    return `{${Object.entries(row).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
  };
  it('prints what filling the template and stringifying each pair printed, for any given keys', () => {
    for (const fields of [LV_FIELDS, SEG_FIELDS]) {
      const format = rowFormat(fields);
      const key = fc.oneof(fc.constantFrom(...fields.map(([k]) => k)), fc.constantFrom('nope', 'lv_uuidx'));
      const value = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '\n', 'ü', '\u2028', '\ud800'), fc.constant(undefined));
      fc.assert(fc.property(fc.dictionary(key, value), (values) => {
        expect(format(values as Record<string, string>)).toBe(old(fields, values));
      }), { numRuns: 300 });
    }
  });
});

describe('caches never serve a mutable system', () => {
  it('an unfrozen system changed in place reports the change', () => {
    const s = JSON.parse(JSON.stringify(simpleSystem())) as { -readonly [K in keyof SimSystem]: any };
    const before = exec(s as SimSystem, C.fullreportArgv()).result.stdout;
    expect(exec(s as SimSystem, C.findmntArgv()).result.stdout).toContain('/mnt/root');
    const lv = Object.values(s.lvs)[0] as { name: string };
    lv.name = 'renamed';
    expect(s.mounts.pop().target).toBe('/mnt/root');
    const after = exec(s as SimSystem, C.fullreportArgv()).result.stdout;
    expect(after).not.toBe(before);
    expect(after).toContain('"lv_name":"renamed"');
    expect(exec(s as SimSystem, C.findmntArgv()).result.stdout).not.toContain('/mnt/root');
  });

  it('equal builder options share one frozen system; different ones do not', () => {
    expect(simpleSystem({ fstype: 'xfs' })).toBe(simpleSystem({ fstype: 'xfs' }));
    expect(deepFrozen(simpleSystem({ fstype: 'xfs' }))).toBe(true);
    expect(simpleSystem({ vgFreeBytes: 0 })).not.toBe(simpleSystem({ vgFreeBytes: -0 }));
    expect(simpleSystem({ tmpDirUsedBytes: Number.NaN })).not.toBe(simpleSystem({ tmpDirUsedBytes: null as unknown as number }));
  });
});
