// A set config: `targets:` is a list of target mappings; every other top-level field is a default for
// each member (a member's own field wins). Validated member by member; every problem names its member.
import { UsageError } from '../errors.js';
import { toTarget } from '../target.js';
import type { Target } from '../types.js';

export const SET_KEY = 'targets';

export const isSetConfig = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && SET_KEY in v;

const memberName = (t: Target): string => `${t.vg}/${t.snapshot}`;

/** The members of a set config, validated; throws one UsageError listing every problem. */
export function toTargets(input: Record<string, unknown>, source: string): Target[] {
  const { [SET_KEY]: list, ...defaults } = input;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError(`invalid set in ${source}:\n  targets: expected a non-empty list of target mappings`);
  const problems: string[] = [];
  const members: Target[] = [];
  list.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      problems.push(`targets[${i}]: expected a mapping of fields`);
      return;
    }
    try {
      members.push(toTarget({ ...defaults, ...(m as Record<string, unknown>) }, `${source} targets[${i}]`));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push(err.message.replace(/^invalid target in /, ''));
    }
  });
  if (problems.length === 0) problems.push(...clashes(members));
  if (problems.length > 0) throw new UsageError(`invalid set in ${source}:\n  ${problems.join('\n  ')}`);
  return members;
}

/** Two members must not share what each of them owns: the snapshot, the mountpoint, the tmp file, the loop device, the origin. */
function clashes(members: readonly Target[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  const claim = (what: string, key: string | undefined, i: number) => {
    if (key === undefined) return;
    const k = `${what}\0${key}`;
    const j = seen.get(k);
    if (j !== undefined) out.push(`targets[${i}]: ${what} ${key} is already used by targets[${j}] (${memberName(members[j]!)})`);
    else seen.set(k, i);
  };
  members.forEach((t, i) => {
    claim('snapshot', `${t.vg}/${t.snapshot}`, i);
    claim('origin', `${t.vg}/${t.lv}`, i);
    claim('mountpoint', t.mountpoint, i);
    claim('tmp file', t.tmpFile, i);
    claim('loop device', t.loopDevice, i);
    claim('spare COW device', t.cowDevice, i);
  });
  // A snapshot name of one member must not be another member's origin.
  members.forEach((t, i) => members.forEach((u, j) => {
    if (i !== j && t.vg === u.vg && t.snapshot === u.lv) out.push(`targets[${i}]: snapshot ${t.vg}/${t.snapshot} is the origin of targets[${j}]`);
  }));
  return out;
}
