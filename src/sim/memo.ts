// Derived data cached by the identity of the immutable (frozen) objects it is computed from. Command
// handlers never mutate a system (immer copies and auto-freezes), so a frozen sub-object such as
// `system.lvs` can key everything derived from it; unfrozen input (e.g. a system parsed from JSON or
// spread together by a test) is never cached, only computed.

/** A cache of compute(keys) for tuples of frozen objects (a trie of WeakMaps: entries die with their keys). */
export class Memo<V> {
  private readonly root = new WeakMap<object, unknown>();

  get(keys: readonly object[], compute: () => V): V {
    for (const k of keys) if (!Object.isFrozen(k)) return compute();
    let map = this.root;
    const last = keys.length - 1;
    for (let i = 0; i < last; i++) {
      let next = map.get(keys[i]!) as WeakMap<object, unknown> | undefined;
      if (next === undefined) map.set(keys[i]!, (next = new WeakMap()));
      map = next;
    }
    let value = map.get(keys[last]!) as V | undefined;
    if (value === undefined) map.set(keys[last]!, (value = compute()));
    return value;
  }
}

const BUILT_MAX = 512;
const builtSystems = new Map<string, object>();
/** Numbers keep -0, NaN and Infinity apart; strings cannot pass for numbers. */
const optionsKey = (o: object): string =>
  JSON.stringify(o, (_k, v: unknown) => (typeof v === 'number' ? `n${Object.is(v, -0) ? '-0' : String(v)}` : typeof v === 'string' ? `s${v}` : v));

/**
 * A builder's (frozen, immutable) result per kind and options: the same options always build the same
 * system, so equal options may share it. Unfrozen results (autoFreeze off) are never shared.
 */
export function built<S extends object>(kind: string, options: object, make: () => S): S {
  let key: string;
  try { key = `${kind}:${optionsKey(options)}`; } catch { return make(); }
  const hit = builtSystems.get(key) as S | undefined;
  if (hit !== undefined) return hit;
  const s = make();
  if (!Object.isFrozen(s)) return s;
  if (builtSystems.size >= BUILT_MAX) builtSystems.clear();
  builtSystems.set(key, s);
  return s;
}
