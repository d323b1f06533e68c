// Flags and helpers shared by `backup` and `backups ...`: keep rules, format, progress on a TTY.
import { UsageError } from '../errors.js';
import type { KeepRules } from '../backup/rotation.js';
import type { FlagGroup, ParsedArgs } from './spec.js';

export const KEEP_GROUP: FlagGroup = {
  title: 'Rotation (only archives of this prefix and format are considered)',
  flags: [
    { name: 'keep-daily', type: 'number', value: 'N', describe: 'keep the newest archive of each of the last N days that have one' },
    { name: 'keep-weekly', type: 'number', value: 'N', describe: 'keep the newest archive of each of the last N ISO weeks that have one' },
    { name: 'keep-monthly', type: 'number', value: 'N', describe: 'keep the newest archive of each of the last N months that have one' },
    { name: 'keep-yearly', type: 'number', value: 'N', describe: 'keep the newest archive of each of the last N years that have one' },
    { name: 'keep-within', type: 'string', value: 'DURATION', describe: 'keep every archive newer than this: 36h, 7d, 2w, 1y' },
  ],
};

export async function keepFrom(args: ParsedArgs): Promise<KeepRules> {
  const { parseDuration } = await import('../backup/index.js');
  const rules: Record<string, number> = {};
  for (const b of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
    const v = args[`keep-${b}`];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UsageError(`--keep-${b} ${String(v)}: give a whole number >= 0`);
    rules[b] = v;
  }
  const within = args['keep-within'];
  if (within !== undefined) {
    const s = parseDuration(String(within));
    if (s === null) throw new UsageError(`--keep-within ${String(within)}: give a duration like 36h, 7d, 2w or 1y`);
    rules['withinSeconds'] = s;
  }
  return rules as KeepRules;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function bytes(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

const clock = (s: number): string => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

export interface ProgressSample { readonly bytesIn: number; readonly bytesOut: number; readonly totalIn?: number | null; readonly usagePercent?: number | null }

/** One progress line: bytes read, throughput, percent and ETA when the total is known, bytes written, snapshot usage. */
export function progressLine(verb: string, p: ProgressSample, elapsedMs: number): string {
  const secs = Math.max(0.001, elapsedMs / 1000);
  const rate = p.bytesIn / secs;
  const parts = [`${verb} ${bytes(p.bytesIn)}`, `${bytes(rate)}/s`];
  if (p.totalIn && p.totalIn > 0) {
    const frac = Math.min(1, p.bytesIn / p.totalIn);
    parts.push(`${(frac * 100).toFixed(0)} %`);
    if (rate > 0 && frac < 1) parts.push(`ETA ${clock((p.totalIn - p.bytesIn) / rate)}`);
  }
  if (p.bytesOut > 0) parts.push(`written ${bytes(p.bytesOut)}`);
  if (p.usagePercent !== undefined && p.usagePercent !== null) parts.push(`snapshot ${p.usagePercent.toFixed(1)} % full`);
  return parts.join(', ');
}

/** Progress on stderr when it is a terminal (and not --json); silent under cron and in scripts. */
export function progressReporter(enabled: boolean, write: (s: string) => void, verb: string) {
  const t0 = Date.now();
  let shown = false;
  return {
    update(p: ProgressSample): void {
      if (!enabled) return;
      shown = true;
      write(`\r\x1b[K${progressLine(verb, p, Date.now() - t0)}`);
    },
    done(): void {
      if (shown) write('\r\x1b[K');
    },
  };
}

export const ttyProgress = (args: ParsedArgs): boolean => args['json'] !== true && process.stderr.isTTY === true;

export async function cores(): Promise<number> {
  const os = await import('node:os');
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** The environment variable that sets how often the snapshot usage watch polls while archiving. */
export const WATCH_ENV = 'LVMSNAP_BACKUP_WATCH_MS';
export const WATCH_DEFAULT_MS = 5000;
const WATCH_MIN_MS = 100;
const WATCH_MAX_MS = 3_600_000;

/**
 * The usage watch's poll interval from LVMSNAP_BACKUP_WATCH_MS (milliseconds, default 5000): a busy origin
 * with a small snapshot may need a shorter one. Anything but a whole number in 100..3600000 is bad input.
 */
export function watchIntervalFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[WATCH_ENV];
  if (raw === undefined || raw === '') return WATCH_DEFAULT_MS;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < WATCH_MIN_MS || n > WATCH_MAX_MS) {
    throw new UsageError(`${WATCH_ENV}=${raw}: the snapshot usage watch interval must be a whole number of milliseconds from ${WATCH_MIN_MS} to ${WATCH_MAX_MS} (default ${WATCH_DEFAULT_MS}); unset it for the default`);
  }
  return n;
}
