// The desired target from flags or a YAML/JSON config file, validated field by field. Errors name the field.
import { posix } from 'node:path';
import { UsageError } from './errors.js';
import type { SizeSpec, Target } from './types.js';

const UNITS: Readonly<Record<string, number>> = { b: 1, s: 512, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** "512M", "4G", "100MiB", "1048576b" (LVM units, powers of 1024) -> bytes. */
export function parseBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([bskmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const bytes = Math.ceil(Number(m[1]) * UNITS[(m[2] || 'm').toLowerCase()]!);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : null;
}

export function parseSize(text: string): SizeSpec | null {
  const pct = /^(\d+(?:\.\d+)?)%ORIGIN$/i.exec(text.trim());
  if (pct) {
    const percent = Number(pct[1]);
    return percent > 0 && percent <= 100 ? { kind: 'percentOrigin', percent } : null;
  }
  const bytes = parseBytes(text);
  return bytes === null ? null : { kind: 'bytes', bytes };
}

const RESERVED_LV_PARTS = ['_cdata', '_cmeta', '_corig', '_mlog', '_mimage', '_pmspare', '_rimage', '_rmeta', '_tdata', '_tmeta', '_vorigin', '_vdata'];

/** LVM's own rules for VG and LV names (lvm(8) "VALID NAMES"). */
export function lvmNameProblem(name: string, what: 'VG' | 'LV'): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 127) return 'is longer than 127 characters';
  if (!/^[A-Za-z0-9+_.-]+$/.test(name)) return 'may contain only letters, digits and + _ . -';
  if (name.startsWith('-')) return 'must not start with "-"';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (what === 'LV') {
    if (name.startsWith('snapshot') || name.startsWith('pvmove')) return 'must not start with "snapshot" or "pvmove"';
    const bad = RESERVED_LV_PARTS.find((p) => name.includes(p));
    if (bad) return `must not contain "${bad}"`;
  }
  return null;
}

// ---- validation: plain checks (no schema library on the start-up path); every message names the field.

type Check<T> = (v: unknown) => { ok: true; value: T } | { ok: false; message: string };

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (message: string) => ({ ok: false as const, message });

const str = (v: unknown) => (typeof v === 'string' ? null : bad(`expected a string, got ${kindOf(v)}`));

const lvmName = (what: 'VG' | 'LV'): Check<string> => (v) => {
  const notString = str(v);
  if (notString) return notString;
  const p = lvmNameProblem(v as string, what);
  return p ? bad(`"${v as string}" is not a valid LVM ${what} name: it ${p}`) : ok(v as string);
};

const absPath: Check<string> = (v) => {
  const notString = str(v);
  if (notString) return notString;
  const p = v as string;
  return p.startsWith('/') && posix.normalize(p) === p && p !== '/' && !p.endsWith('/')
    ? ok(p)
    : bad('must be an absolute, normalized path (like /mnt/snap), not / and without a trailing /');
};

const matching = (re: RegExp, message: string): Check<string> => (v) => str(v) ?? (re.test(v as string) ? ok(v as string) : bad(message));

const sizeOrNumber = (v: unknown): string | null => (typeof v === 'number' ? `${v}b` : typeof v === 'string' ? v : null);

const sizeField: Check<SizeSpec> = (v) => {
  const text = sizeOrNumber(v);
  if (text === null) return bad(`expected a size like 512M, 4G or 25%ORIGIN, got ${kindOf(v)}`);
  const s = parseSize(text);
  return s ? ok(s) : bad(`"${String(v)}" is not a size: use 512M, 4G or 25%ORIGIN`);
};

const bytesField: Check<number> = (v) => {
  const text = sizeOrNumber(v);
  if (text === null) return bad(`expected a size like 512M or 4G, got ${kindOf(v)}`);
  const b = parseBytes(text);
  return b === null ? bad(`"${String(v)}" is not a size: use 512M or 4G`) : ok(b);
};

const oneOf = <T extends string>(...choices: T[]): Check<T> => (v) =>
  typeof v === 'string' && (choices as string[]).includes(v) ? ok(v as T) : bad(`expected one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${typeof v === 'string' ? `"${v}"` : kindOf(v)}`);

const percentField: Check<number> = (v) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(?:\.\d+)?%?$/.test(v.trim()) ? Number(v.trim().replace(/%$/, '')) : NaN;
  return Number.isFinite(n) && n > 0 && n <= 100 ? ok(n) : bad(`expected a percent between 0 and 100 like 90, got ${typeof v === 'string' ? `"${v}"` : kindOf(v)}`);
};

const bool: Check<boolean> = (v) => (typeof v === 'boolean' ? ok(v) : bad(`expected true or false, got ${kindOf(v)}`));

/** Each field of a Target: its check and its default (absent = required, undefined = optional). */
const FIELDS: Readonly<Record<string, { check: Check<unknown>; default?: unknown; required?: true }>> = {
  vg: { check: lvmName('VG'), required: true },
  lv: { check: lvmName('LV'), required: true },
  snapshot: { check: lvmName('LV') },
  size: { check: sizeField, default: { kind: 'percentOrigin', percent: 20 } },
  mountpoint: { check: absPath },
  mountOptions: { check: matching(/^[A-Za-z0-9_=.,:-]+$/, 'must be a comma-separated option list') },
  tmpFile: { check: absPath },
  tmpFileSize: { check: bytesField },
  loopDevice: { check: matching(/^\/dev\/loop\d+$/, 'must look like /dev/loop3') },
  cowDevice: { check: matching(/^\/dev(?:\/[A-Za-z0-9_][A-Za-z0-9_.:+@=,-]*)+$/, 'must be a block device under /dev, like /dev/sdb or /dev/disk/by-id/NAME') },
  allocate: { check: oneOf('auto', 'fallocate', 'zero'), default: 'auto' },
  removeMountpoint: { check: bool, default: false },
  stateDir: { check: absPath, default: '/var/lib/lvmsnap' },
  thinPoolThreshold: { check: percentField },
};

/** Field names of a target (camelCase), as accepted in config files. */
const TARGET_FIELDS: readonly string[] = Object.keys(FIELDS);

/** Validates a config/flags object; throws one UsageError listing every problem, each naming its field. */
export function toTarget(input: unknown, source: string): Target {
  const problems: string[] = [];
  const fail = (): never => {
    throw new UsageError(`invalid target in ${source}:\n  ${problems.join('\n  ')}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push(`(top level): expected a mapping of fields, got ${kindOf(input)}`);
    fail();
  }
  const given = input as Record<string, unknown>;
  const t: Record<string, unknown> = {};
  for (const [field, f] of Object.entries(FIELDS)) {
    const v = given[field];
    if (v === undefined) {
      if (f.required) problems.push(`${field}: required`);
      else if ('default' in f) t[field] = f.default;
      continue;
    }
    const r = f.check(v);
    if (r.ok) t[field] = r.value;
    else problems.push(`${field}: ${r.message}`);
  }
  const unknown = Object.keys(given).filter((k) => !(k in FIELDS));
  if (unknown.length > 0) problems.push(`(top level): Unrecognized ${unknown.length === 1 ? 'key' : 'keys'}: ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${TARGET_FIELDS.join(', ')})`);
  if (problems.length === 0) {
    if (t['tmpFile'] === undefined && t['tmpFileSize'] !== undefined) problems.push('tmpFileSize: needs tmpFile');
    if (t['tmpFile'] === undefined && t['loopDevice'] !== undefined) problems.push('loopDevice: needs tmpFile');
    if (t['cowDevice'] !== undefined)
      for (const f of ['tmpFile', 'tmpFileSize', 'loopDevice']) if (t[f] !== undefined) problems.push(`${f}: cannot be combined with cowDevice (the COW space comes either from a spare device or from a tmp file)`);
    if (t['snapshot'] === t['lv']) problems.push('snapshot: must differ from the origin LV name');
    const mnt = t['mountpoint'] as string | undefined;
    const tmp = t['tmpFile'] as string | undefined;
    if (mnt !== undefined && tmp !== undefined && `${tmp}/`.startsWith(`${mnt}/`)) problems.push('tmpFile: must not be inside the mountpoint');
  }
  if (problems.length > 0) fail();
  const snapshot = (t['snapshot'] as string | undefined) ?? `${t['lv'] as string}-lvmsnap`;
  const snapProblem = lvmNameProblem(snapshot, 'LV');
  if (snapProblem) throw new UsageError(`invalid target in ${source}:\n  snapshot: "${snapshot}" is not a valid LVM LV name: it ${snapProblem}`);
  // An explicit size asks for a classic COW snapshot even of a thin origin (see facts.ts snapshotKind).
  return { ...t, snapshot, ...(given['size'] !== undefined ? { sizeGiven: true } : {}) } as unknown as Target;
}

/** JSON configs are parsed with JSON.parse; the YAML parser is loaded only for YAML. */
export async function parseConfigText(text: string, file: string): Promise<unknown> {
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    if (text.trimStart().startsWith('{')) {
      try {
        return JSON.parse(text);
      } catch {
        /* flow-style YAML: the YAML parser decides */
      }
    }
    const { parse } = await import('yaml');
    return parse(text);
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}
