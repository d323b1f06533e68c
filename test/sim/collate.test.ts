// The simulator's name order without ICU's default collator (src/sim/collate.ts) against that collator:
// root collation (the default locale's when none is set, C, POSIX or English) of the characters of LVM
// names and device paths, and the fallback to the collator for anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collate, rootCompare, rootLikeLocale } from '../../src/sim/collate.js';

const icu = new Intl.Collator('en-US').compare;
const sign = (n: number): number => Math.sign(n);
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-/'];
const name = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((a) => a.join(''));
// Names that differ little (shared prefixes, case only, one punctuation mark): where orders disagree if at all.
const near = fc.tuple(name, fc.array(fc.constantFrom('a', 'A', 'b', '0', '9', '-', '_', '.', '/', '+'), { maxLength: 3 })).map(([s, t]) => s + t.join(''));

describe('simulator name order (root collation without the ICU collator)', () => {
  it('orders every pair of single characters and the empty string as ICU does', () => {
    for (const a of ['', ...ALPHABET]) for (const b of ['', ...ALPHABET]) expect(rootCompare(a, b), `${a} ${b}`).toBe(sign(icu(a, b)));
  });

  it('orders any two names of LVM-name and path characters as ICU does', () => {
    fc.assert(fc.property(fc.oneof(name, near), fc.oneof(name, near), (a, b) => rootCompare(a, b) === sign(icu(a, b))), { numRuns: 20_000 });
    fc.assert(fc.property(near, (a) => { const b = a.toUpperCase(); return rootCompare(a, b) === sign(icu(a, b)); }), { numRuns: 2_000 });
  });

  it('sorts like localeCompare, also names with other characters (those go to the collator)', () => {
    const names = ['root-lvmsnap', 'root', 'Root', 'swap', 'data_1', 'data.1', 'data-1', '/dev/vda', '/dev/loop0', '[unknown]', 'café', 'Ärger', 'z', ''];
    expect([...names].sort(collate)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('uses root order only for locales that collate these characters like root', () => {
    expect(rootLikeLocale({})).toBe(true);
    expect(rootLikeLocale({ LANG: 'C.UTF-8' })).toBe(true);
    expect(rootLikeLocale({ LANG: 'POSIX' })).toBe(true);
    expect(rootLikeLocale({ LANG: 'en_GB.UTF-8', LC_ALL: '' })).toBe(true);
    // Danish sorts "aa" as å, Estonian z after s, Lithuanian y by i: the collator decides there.
    expect(rootLikeLocale({ LANG: 'da_DK.UTF-8' })).toBe(false);
    expect(rootLikeLocale({ LANG: 'en_US.UTF-8', LC_ALL: 'et_EE.UTF-8' })).toBe(false);
    expect(rootLikeLocale({ LANG: 'en_US.UTF-8', LC_COLLATE: 'lt_LT.UTF-8' })).toBe(false);
    expect(new Intl.Collator('da').compare('aa', 'b')).toBe(1); // the reason: root order would say -1
    expect(rootCompare('aa', 'b')).toBe(-1);
  });
});
