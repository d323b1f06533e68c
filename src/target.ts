// The desired target from flags or a YAML/JSON config file, validated with zod. Errors name the field.
import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
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

const lvmName = (what: 'VG' | 'LV') =>
  z.string().superRefine((v, ctx) => {
    const p = lvmNameProblem(v, what);
    if (p) ctx.addIssue({ code: 'custom', message: `"${v}" is not a valid LVM ${what} name: it ${p}` });
  });

const absPath = z.string().refine((p) => p.startsWith('/') && posix.normalize(p) === p && p !== '/' && !p.endsWith('/'), {
  message: 'must be an absolute, normalized path (like /mnt/snap), not / and without a trailing /',
});

const sizeField = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = parseSize(typeof v === 'number' ? `${v}b` : v);
  if (!s) ctx.addIssue({ code: 'custom', message: `"${v}" is not a size: use 512M, 4G or 25%ORIGIN` });
  return s as SizeSpec;
});

const bytesField = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const b = parseBytes(typeof v === 'number' ? `${v}b` : v);
  if (b === null) ctx.addIssue({ code: 'custom', message: `"${v}" is not a size: use 512M or 4G` });
  return b as number;
});

export const TargetSchema = z
  .object({
    vg: lvmName('VG'),
    lv: lvmName('LV'),
    snapshot: lvmName('LV').optional(),
    size: sizeField.default({ kind: 'percentOrigin', percent: 20 }),
    mountpoint: absPath.optional(),
    mountOptions: z.string().regex(/^[A-Za-z0-9_=.,:-]+$/, 'must be a comma-separated option list').optional(),
    tmpFile: absPath.optional(),
    tmpFileSize: bytesField.optional(),
    loopDevice: z.string().regex(/^\/dev\/loop\d+$/, 'must look like /dev/loop3').optional(),
    allocate: z.enum(['auto', 'fallocate', 'zero']).default('auto'),
    removeMountpoint: z.boolean().default(false),
    stateDir: absPath.default('/var/lib/lvmsnap'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.tmpFile === undefined && t.tmpFileSize !== undefined) ctx.addIssue({ code: 'custom', path: ['tmpFileSize'], message: 'needs tmpFile' });
    if (t.tmpFile === undefined && t.loopDevice !== undefined) ctx.addIssue({ code: 'custom', path: ['loopDevice'], message: 'needs tmpFile' });
    if ((t.snapshot ?? `${t.lv}-lvmsnap`) === t.lv) ctx.addIssue({ code: 'custom', path: ['snapshot'], message: 'must differ from the origin LV name' });
    if (t.mountpoint !== undefined && t.tmpFile !== undefined && (t.tmpFile + '/').startsWith(t.mountpoint + '/'))
      ctx.addIssue({ code: 'custom', path: ['tmpFile'], message: 'must not be inside the mountpoint' });
  });

export type TargetInput = z.input<typeof TargetSchema>;

export function toTarget(input: unknown, source: string): Target {
  const r = TargetSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new UsageError(`invalid target in ${source}:\n  ${lines.join('\n  ')}`);
  }
  const t = r.data;
  const snapshot = t.snapshot ?? `${t.lv}-lvmsnap`;
  const snapProblem = lvmNameProblem(snapshot, 'LV');
  if (snapProblem) throw new UsageError(`invalid target in ${source}:\n  snapshot: "${snapshot}" is not a valid LVM LV name: it ${snapProblem}`);
  return { ...t, snapshot } as Target;
}

export function parseConfigText(text: string, file: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}
