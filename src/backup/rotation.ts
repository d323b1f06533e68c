// Rotation of one prefix's archives: which to keep under --keep-daily/-weekly/-monthly/-yearly N and
// --keep-within DURATION. Each bucket rule on its own keeps the newest archive of each of its N most
// recent periods that hold an archive; an archive is kept if any rule keeps it. Pure.
import { dateOf, type Stamp } from './names.js';

export interface KeepRules {
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  /** Keep everything newer than this many seconds. */
  readonly withinSeconds?: number;
}

export const BUCKETS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface Dated {
  readonly name: string;
  readonly stamp: Stamp;
}

export interface Decision {
  readonly name: string;
  readonly keep: boolean;
  /** Why it is kept ("daily 2026-11-30", "within 7d"), or "" when it is removed. */
  readonly reasons: readonly string[];
}

/** ISO 8601 week (year and week number) of a calendar date. */
export function isoWeek(s: Stamp): string {
  const d = new Date(Date.UTC(s.year, s.month - 1, s.day));
  const dow = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - dow + 3); // Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

const p2 = (n: number): string => String(n).padStart(2, '0');
export const PERIOD: Readonly<Record<Bucket, (s: Stamp) => string>> = {
  daily: (s) => `${s.year}-${p2(s.month)}-${p2(s.day)}`,
  weekly: isoWeek,
  monthly: (s) => `${s.year}-${p2(s.month)}`,
  yearly: (s) => String(s.year),
};

const newestFirst = (a: Dated, b: Dated): number => dateOf(b.stamp).getTime() - dateOf(a.stamp).getTime() || (a.name < b.name ? 1 : -1);

export const hasRules = (r: KeepRules): boolean =>
  BUCKETS.some((b) => (r[b] ?? 0) > 0) || (r.withinSeconds ?? 0) > 0;

/** Decide, for every archive, keep or remove (newest first). */
export function decide(archives: readonly Dated[], rules: KeepRules, now: Date): Decision[] {
  const sorted = [...archives].sort(newestFirst);
  const reasons = new Map<string, string[]>(sorted.map((a) => [a.name, []]));
  const within = rules.withinSeconds ?? 0;
  if (within > 0) {
    for (const a of sorted) if (now.getTime() - dateOf(a.stamp).getTime() < within * 1000) reasons.get(a.name)!.push(`within ${formatDuration(within)}`);
  }
  for (const bucket of BUCKETS) {
    const n = rules[bucket] ?? 0;
    let last: string | null = null;
    let kept = 0;
    for (const a of sorted) {
      if (kept >= n) break;
      const period = PERIOD[bucket](a.stamp);
      if (period === last) continue;
      last = period;
      kept += 1;
      reasons.get(a.name)!.push(`${bucket} ${period}`);
    }
  }
  return sorted.map((a) => ({ name: a.name, keep: reasons.get(a.name)!.length > 0, reasons: reasons.get(a.name)! }));
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** "36h", "7d", "2w", "1y", "90m", "3600s" -> seconds; null if not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*([smhdwy])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}

export function formatDuration(seconds: number): string {
  for (const u of ['y', 'w', 'd', 'h', 'm'] as const) if (seconds % UNIT_SECONDS[u]! === 0) return `${seconds / UNIT_SECONDS[u]!}${u}`;
  return `${seconds}s`;
}
