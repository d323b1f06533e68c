// The JSON manifest written beside each archive (`<name>.json`): what was archived, from where, when,
// how big, and how full the snapshot got. Validated with zod when read back (list, verify).
import { z } from 'zod';
import { FORMATS } from './formats.js';

export const ManifestSchema = z.object({
  manifestVersion: z.literal(1),
  lvmsnapVersion: z.string(),
  name: z.string(),
  format: z.enum(FORMATS),
  origin: z.object({ vg: z.string(), lv: z.string(), sizeBytes: z.number().int().nonnegative() }),
  snapshot: z.object({ name: z.string(), cowBytes: z.number().int().nonnegative(), reused: z.boolean() }),
  filesystem: z.object({ type: z.string().nullable(), usedBytes: z.number().int().nonnegative().nullable() }),
  sizes: z.object({ sourceBytes: z.number().int().nonnegative().nullable(), archiveBytes: z.number().int().nonnegative() }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  startedAt: z.string(),
  endedAt: z.string(),
  seconds: z.number().nonnegative(),
  peakSnapshotUsagePercent: z.number().nullable(),
  command: z.array(z.array(z.string())),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export function parseManifest(text: string): Manifest | null {
  try {
    const r = ManifestSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
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
