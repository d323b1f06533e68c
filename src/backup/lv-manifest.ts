// What makes an LV a backup LV of `backup --format lv` (lv-copy.ts) and what is recorded about it, shared by
// the copy and its restore (lv-restore.ts): the tags (lvmsnap_backup, and lvmsnap_backup_of_<vg>_<lv>; never
// lvmsnap, which marks removable chain parts) and the manifest in the state dir
// (<stateDir>/backup-lv/<VG>-<LV>.json): its shape, its path, and reading it back. Pure.
import { posix } from 'node:path';
import type { Target } from '../types.js';

export const BACKUP_TAG = 'lvmsnap_backup';
/** lvm tags allow [A-Za-z0-9_+.-]: VG/LV names fit. */
export const backupOfTag = (t: Pick<Target, 'vg' | 'lv'>): string => `lvmsnap_backup_of_${t.vg}_${t.lv}`;
export const lvManifestPath = (stateDir: string, vg: string, lv: string): string => posix.join(stateDir, 'backup-lv', `${vg}-${lv}.json`);

export interface LvCopyManifest {
  readonly manifestVersion: 1;
  readonly kind: 'lv-copy';
  /** copying: the LV's content is incomplete (written before the copy starts); complete: copied and hash-checked. */
  readonly state: 'copying' | 'complete';
  readonly lvmsnapVersion: string;
  readonly dest: { readonly vg: string; readonly lv: string; readonly sizeBytes: number };
  readonly origin: { readonly vg: string; readonly lv: string; readonly sizeBytes: number };
  readonly snapshot: { readonly name: string; readonly reused: boolean };
  readonly filesystem: { readonly type: string | null };
  readonly sha256: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly seconds: number | null;
  readonly peakSnapshotUsagePercent: number | null;
  readonly command: readonly (readonly string[])[];
}

export function parseLvManifest(text: string | null): LvCopyManifest | null {
  if (text === null) return null;
  try {
    const m = JSON.parse(text) as LvCopyManifest;
    return m && m.kind === 'lv-copy' && (m.state === 'copying' || m.state === 'complete') && typeof m.dest?.vg === 'string' ? m : null;
  } catch {
    return null;
  }
}
