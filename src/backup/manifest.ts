// The JSON manifest written beside each archive (`<name>.json`): what was archived, from where, when,
// how big, and how full the snapshot got. Checked field by field when read back (list, verify).
import { FORMATS, type Format } from './formats.js';

export interface Manifest {
  readonly manifestVersion: 1;
  readonly lvmsnapVersion: string;
  readonly name: string;
  readonly format: Format;
  readonly origin: { readonly vg: string; readonly lv: string; readonly sizeBytes: number };
  readonly snapshot: {
    readonly name: string; readonly cowBytes: number; readonly reused: boolean;
    /** With --grow-snapshot: each grow while archiving (COW bytes before and after, usage that triggered it). */
    readonly grows?: readonly { readonly fromBytes: number; readonly toBytes: number; readonly atPercent: number }[];
  };
  readonly filesystem: { readonly type: string | null; readonly usedBytes: number | null };
  readonly sizes: { readonly sourceBytes: number | null; readonly archiveBytes: number };
  readonly sha256: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly seconds: number;
  readonly peakSnapshotUsagePercent: number | null;
  /** The archiving pipeline, stage by stage. */
  readonly command: readonly (readonly string[])[];
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const nullable = (c: Check): Check => (v) => v === null || c(v);
const obj = (shape: Record<string, Check>): Check => (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(shape).every(([k, c]) => c((v as Record<string, unknown>)[k]));

const MANIFEST: Check = obj({
  manifestVersion: (v) => v === 1,
  lvmsnapVersion: str,
  name: str,
  format: (v) => (FORMATS as readonly unknown[]).includes(v),
  origin: obj({ vg: str, lv: str, sizeBytes: num }),
  snapshot: obj({ name: str, cowBytes: num, reused: (v) => typeof v === 'boolean' }),
  filesystem: obj({ type: nullable(str), usedBytes: nullable(num) }),
  sizes: obj({ sourceBytes: nullable(num), archiveBytes: num }),
  sha256: (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v),
  startedAt: str,
  endedAt: str,
  seconds: num,
  peakSnapshotUsagePercent: nullable(num),
  command: (v) => Array.isArray(v) && v.every((s) => Array.isArray(s) && s.every(str)),
});

/** The manifest, or null if the text is not one (unreadable JSON or a missing/wrong field). */
export function parseManifest(text: string): Manifest | null {
  try {
    const v: unknown = JSON.parse(text);
    return MANIFEST(v) ? (v as Manifest) : null;
  } catch {
    return null;
  }
}

/** `sha256sum`'s own line format, so `sha256sum -c NAME.sha256` works in the archive's directory. */
export const sha256Line = (hash: string, name: string): string => `${hash}  ${name}\n`;
export function parseSha256File(text: string): string | null {
  const m = /^([0-9a-f]{64}) [ *]/.exec(text);
  return m ? m[1]! : null;
}
