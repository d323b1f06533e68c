// Snapshot usage watch while an archive is being written: polls the snapshot's COW usage, warns once at
// 80 %, and flags the backup failed when the snapshot becomes invalid (its data are then garbage).
// A thin snapshot has no COW space of its own: the watch reads its pool's data and metadata usage (the
// higher of the two) instead. A full pool does not spoil the snapshot's data but stalls writes to every
// thin LV in it, the origin among them, so the warning says so.
import { fullreportArgv } from '../commands.js';
import { parseFullreport } from '../parse/index.js';
import type { HostPort } from '../port.js';

export const WARN_PERCENT = 80;

export interface UsageSample {
  readonly percent: number | null; readonly invalid: boolean; readonly missing: boolean;
  /** For a thin snapshot: its pool (the percent is the pool's usage). */
  readonly pool?: string;
}

export async function sampleUsage(host: HostPort, vg: string, snapshot: string): Promise<UsageSample> {
  const r = await host.run(fullreportArgv(), { mutating: false });
  if (r.exitCode !== 0) return { percent: null, invalid: false, missing: false };
  const report = parseFullreport(r.stdout);
  const lv = report.lvs.find((l) => l.vg === vg && l.name === snapshot);
  if (!lv) return { percent: null, invalid: false, missing: true };
  if (lv.thin?.kind === 'volume' && lv.thin.pool !== null) {
    const pool = report.lvs.find((l) => l.vg === vg && l.name === lv.thin!.pool);
    const used = [pool?.thin?.dataPercent, pool?.thin?.metadataPercent].filter((n): n is number => typeof n === 'number');
    return { percent: used.length ? Math.max(...used) : null, invalid: false, missing: false, pool: lv.thin.pool };
  }
  return { percent: lv.snapPercent, invalid: lv.snapshotInvalid, missing: false };
}

export class UsageWatch {
  peak: number | null = null;
  invalid = false;
  last: number | null = null;
  private warned = false;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    private readonly host: HostPort,
    private readonly vg: string,
    private readonly snapshot: string,
    private readonly warn: (msg: string) => void,
  ) {}

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const u = await sampleUsage(this.host, this.vg, this.snapshot);
      if (u.invalid || u.missing) this.invalid = true;
      if (u.percent !== null) {
        this.last = u.percent;
        this.peak = Math.max(this.peak ?? 0, u.percent);
        if (u.percent >= WARN_PERCENT && !this.warned) {
          this.warned = true;
          if (u.pool !== undefined) this.warn(`thin pool ${this.vg}/${u.pool} of snapshot ${this.vg}/${this.snapshot} is ${u.percent.toFixed(1)} % full: writes to the origin are filling it; at 100 % writes to every thin LV in it stall or fail (extend the pool with lvextend, or use --size for a classic COW snapshot)`);
          else this.warn(`snapshot ${this.vg}/${this.snapshot} is ${u.percent.toFixed(1)} % full: writes to the origin are filling it; if it reaches 100 % it becomes invalid and the backup fails (give it more room with --size)`);
        }
      }
    } catch {
      /* a failed sample is retried at the next tick; the final sample decides */
    } finally {
      this.busy = false;
    }
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
