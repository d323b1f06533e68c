// Immutable edits one level down in a SimSystem, with exactly produce()'s results but without drafts:
// edit(s, { locks: { [p]: lock }, stateFiles: { [q]: REMOVE } }) is
// produce(s, (d) => { d.locks[p] = lock; delete d.stateFiles[q]; }) — same key order (copies by spread,
// new keys last), the same object back when nothing changes (assigning an identical value, deleting a
// missing key), and the result deep-frozen as immer's auto-freeze leaves it. For hot, simple edits.
import { freeze } from 'immer';
import type { SimSystem } from './basics.js';

export const REMOVE: unique symbol = Symbol('remove');

type RecordKeys = Exclude<{ [K in keyof SimSystem]-?: SimSystem[K] extends readonly unknown[] ? never : undefined extends SimSystem[K] ? never : K }[keyof SimSystem], undefined>;
export type Edits = { readonly [K in RecordKeys]?: Readonly<Record<string, unknown>> };

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * `replace` assigns whole top-level values (d.mounts = [...]): a new value always counts as a change,
 * an identical one (Object.is) as none.
 */
export function edit(s: SimSystem, edits: Edits, replace: Partial<SimSystem> = {}): SimSystem {
  let root: Record<string, unknown> | null = null;
  for (const [top, v] of Object.entries(replace)) {
    const current = root ? root[top] : s[top as keyof SimSystem];
    if (!Object.is(current, v)) (root ??= { ...s })[top] = v;
  }
  for (const [top, entries] of Object.entries(edits) as [string, Readonly<Record<string, unknown>>][]) {
    const copy = editRecord((s as unknown as Record<string, Record<string, unknown>>)[top]!, entries);
    if (copy) (root ??= { ...s })[top] = copy;
  }
  return freeze((root ?? s) as SimSystem, true);
}

/**
 * The edited copy of one record, or null when the edits change nothing. Entries are applied in order
 * (one per key); removed keys are left out of the copy rather than deleted from it, which keeps V8's
 * fast properties (a delete turns the object, and every later spread copy of it, into a slow dictionary).
 */
function editRecord(base: Readonly<Record<string, unknown>>, entries: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
  let changed = false;
  let removes = false;
  const keys = Object.keys(entries);
  for (const k of keys) {
    const v = entries[k];
    if (v === REMOVE) { if (k in base) changed = removes = true; } else if (!(Object.is(base[k], v) && (v !== undefined || hasOwn(base, k)))) changed = true;
  }
  if (!changed) return null;
  let copy: Record<string, unknown>;
  if (removes && !hasOwn(base, '__proto__')) {
    copy = {};
    for (const k of Object.keys(base)) if (entries[k] !== REMOVE) copy[k] = base[k];
  } else {
    copy = { ...base };
    for (const k of keys) if (entries[k] === REMOVE) delete copy[k];
  }
  for (const k of keys) if (entries[k] !== REMOVE) copy[k] = entries[k];
  return copy;
}

/** produce(o, (d) => { d.a = x; d.b = y; }) for a nested object: o itself when every field already holds its value. */
export function setFields<T extends object>(o: T, fields: Partial<T>): T {
  for (const [k, v] of Object.entries(fields)) {
    if (!(Object.is((o as Record<string, unknown>)[k], v) && (v !== undefined || hasOwn(o, k)))) return { ...o, ...fields };
  }
  return o;
}
