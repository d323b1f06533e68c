// Snapshot usage watch while an archive is being written: polls the snapshot's COW usage; at 80 % it
// grows the snapshot (--grow-snapshot: a plan run by the applier, src/backup/grow.ts) or warns once; it
// flags the backup failed when the snapshot becomes invalid (its data are then garbage).
// A thin snapshot has no COW space of its own: the watch reads its pool's data and metadata usage (the
// higher of the two) instead, and never grows it. A full pool does not spoil the snapshot's data but
// stalls writes to every thin LV in it, the origin among them, so the warning says so.
import { fullreportArgv } from '../commands.js';
import { parseFullreport } from '../parse/index.js';
import type { HostPort } from '../port.js';
import { GROW_PERCENT as WARN_AT, type GrowOutcome } from './grow.js';

export interface UsageSample {
  readonly percent: number | null; readonly invalid: boolean; readonly missing: boolean;
  /** Size of the snapshot's COW space now (0 for a thin snapshot: it has none, it shares its pool). */
  readonly cowBytes?: number;
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
    return { percent: used.length ? Math.max(...used) : null, invalid: false, missing: false, pool: lv.thin.pool, cowBytes: 0 };
  }
  return { percent: lv.snapPercent, invalid: lv.snapshotInvalid, missing: false, cowBytes: lv.sizeBytes };
}

export interface Grow { readonly fromBytes: number; readonly toBytes: number; readonly atPercent: number }

const mib = (n: number): string => `${(n / 1024 ** 2).toFixed(0)} MiB`;

export class UsageWatch {
  peak: number | null = null;
  invalid = false;
  last: number | null = null;
  /** The snapshot's COW size at the last sample (grows with --grow-snapshot); null before any. */
  cowBytes: number | null = null;
  /** Grows done (with --grow-snapshot), in order. */
  readonly grows: Grow[] = [];
  private warned = false;
  private growStopped = false;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly host: HostPort,
    private readonly vg: string,
    private readonly snapshot: string,
    private readonly warn: (msg: string) => void,
    /** --grow-snapshot: grows the snapshot (a plan run by the applier); absent: only warn. */
    private readonly grow?: () => Promise<GrowOutcome>,
  ) {}

  /** One sample; `final` (after the archive) waits for a running one and never grows. */
  async sample(final = false): Promise<void> {
    if (this.inflight && !final) return;
    while (this.inflight) await this.inflight;
    this.inflight = this.take(final).finally(() => { this.inflight = null; });
    await this.inflight;
  }

  private async take(final: boolean): Promise<void> {
    try {
      const u = await sampleUsage(this.host, this.vg, this.snapshot);
      if (u.invalid || u.missing) this.invalid = true;
      if (u.cowBytes !== undefined) this.cowBytes = u.cowBytes;
      if (u.percent === null) return;
      this.last = u.percent;
      this.peak = Math.max(this.peak ?? 0, u.percent);
      if (u.percent < WARN_AT || this.invalid) return;
      if (u.pool !== undefined) {
        if (!this.warned) {
          this.warned = true;
          this.warn(`thin pool ${this.vg}/${u.pool} of snapshot ${this.vg}/${this.snapshot} is ${u.percent.toFixed(1)} % full: writes to the origin are filling it; at 100 % writes to every thin LV in it stall or fail (extend the pool with lvextend, or use --size for a classic COW snapshot)`);
        }
        return;
      }
      const at = `snapshot ${this.vg}/${this.snapshot} is ${u.percent.toFixed(1)} % full`;
      if (this.grow && !this.growStopped && !final) {
        await this.tryGrow(at, u.percent);
      } else if (!this.warned) {
        this.warned = true;
        this.warn(`${at}: writes to the origin are filling it; if it reaches 100 % it becomes invalid and the backup fails (${this.grow ? 'it cannot grow further; give it more room with --size' : 'pass --grow-snapshot to grow it while archiving, or give it more room with --size'})`);
      }
    } catch {
      /* a failed sample is retried at the next tick; the final sample decides */
    }
  }

  private async tryGrow(at: string, percent: number): Promise<void> {
    try {
      const o = await this.grow!();
      if (o.kind === 'grown') {
        this.grows.push({ fromBytes: o.fromBytes, toBytes: o.toBytes, atPercent: percent });
        this.last = Math.round(((percent * o.fromBytes) / o.toBytes) * 100) / 100;
      } else if (o.kind === 'cannot') {
        this.growStopped = true;
        this.warned = true;
        this.warn(`${at} and cannot grow: ${o.why}; if it reaches 100 % it becomes invalid and the backup fails`);
      }
    } catch (err) {
      this.growStopped = true;
      this.warned = true;
      this.warn(`${at}; growing it failed, no further attempt: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  /** What the grows did, for the summary. */
  describeGrows(): string {
    const g = this.grows;
    return g.length === 0 ? '' : `grown ${g.length} time(s) while archiving: ${mib(g[0]!.fromBytes)} -> ${mib(g.at(-1)!.toBytes)}`;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
