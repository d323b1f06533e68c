// The order in which the simulated lvm lists names: a.localeCompare(b) without arguments, i.e. the compare
// of `new Intl.Collator()` (the default locale's collator). Making that collator costs ICU a pass over
// every locale it knows (about a quarter of a simulated apply's start-up, on every run), so names made
// only of the characters of LVM names and device paths ([A-Za-z0-9+_.-] and /) are compared here by their
// place in ICU's root collation, when the default locale orders those like root does (no locale set, C,
// POSIX, English). Same answers: primary order first (case ignored), then lower case before upper case
// (test/sim/collate.test.ts checks them against ICU). Any other string or locale goes to the collator,
// made on first use.

/** The characters in root collation order; a lower-case letter and its upper case share a place. */
const ROOT_ORDER = '_-./+0123456789abcdefghijklmnopqrstuvwxyz';
const PRIMARY = new Uint8Array(128); // 0: not handled here
for (let i = 0; i < ROOT_ORDER.length; i++) {
  const c = ROOT_ORDER.charCodeAt(i);
  PRIMARY[c] = i + 1;
  if (c >= 0x61 && c <= 0x7a) PRIMARY[c - 0x20] = i + 1;
}
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const handled = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || PRIMARY[c] === 0) return false;
  }
  return true;
};

/** Root collation of two strings of handled characters: -1, 0 or 1 as Intl.Collator's compare. */
export function rootCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const pa = PRIMARY[a.charCodeAt(i)]!;
    const pb = PRIMARY[b.charCodeAt(i)]!;
    if (pa !== pb) return pa < pb ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const ua = isUpper(a.charCodeAt(i));
    if (ua !== isUpper(b.charCodeAt(i))) return ua ? 1 : -1;
  }
  return 0;
}

/**
 * Whether ICU's default locale (from LC_ALL, else LC_MESSAGES, else LANG) collates these characters as root.
 * LC_COLLATE is checked too, to be safe. V8 takes ICU's fallback (no locale, C, POSIX) as en-US.
 */
export function rootLikeLocale(env: NodeJS.ProcessEnv): boolean {
  return ['LC_ALL', 'LC_MESSAGES', 'LC_COLLATE', 'LANG'].every((k) => {
    const v = env[k];
    if (v === undefined || v === '') return true;
    const lang = v.split(/[._@]/)[0];
    return lang === 'C' || lang === 'POSIX' || lang === 'en';
  });
}

let collator: Intl.Collator['compare'] | undefined;
let rootLike: boolean | undefined;

/** a.localeCompare(b), without making the default collator unless it is needed. */
export function collate(a: string, b: string): number {
  rootLike ??= rootLikeLocale(process.env);
  if (rootLike && handled(a) && handled(b)) return rootCompare(a, b);
  collator ??= new Intl.Collator().compare;
  return collator(a, b);
}
