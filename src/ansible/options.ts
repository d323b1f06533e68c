// The module's options: every target field under its config-file name in snake_case, plus state, targets
// (a snapshot set: a list of the same fields; top-level fields are defaults for every member),
// keep_partial and wait. Validated by the same code as config files (src/target.ts, src/set/config.ts).
import { UsageError } from '../errors.js';
import { toTargets } from '../set/config.js';
import { toTarget } from '../target.js';
import type { DesiredState, Target } from '../types.js';

/** snake_case option -> camelCase target field. */
export const TARGET_OPTIONS: Readonly<Record<string, string>> = {
  vg: 'vg', lv: 'lv', snapshot: 'snapshot', size: 'size', mountpoint: 'mountpoint', mount_options: 'mountOptions',
  tmp_file: 'tmpFile', tmp_file_size: 'tmpFileSize', loop_device: 'loopDevice', allocate: 'allocate', cow_device: 'cowDevice',
  remove_mountpoint: 'removeMountpoint', state_dir: 'stateDir', thin_pool_threshold: 'thinPoolThreshold',
};
const OTHER_OPTIONS = ['state', 'targets', 'keep_partial', 'wait'] as const;

export interface ModuleRequest {
  readonly state: DesiredState;
  readonly selection: { readonly kind: 'one'; readonly target: Target } | { readonly kind: 'set'; readonly members: readonly Target[] };
  readonly keepPartial: boolean;
  readonly waitSeconds: number;
  readonly checkMode: boolean;
  readonly diff: boolean;
}

const bool = (v: unknown, name: string): boolean => {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  // Ansible's own boolean spellings, for options written as strings.
  if (typeof v === 'string' && /^(yes|true|on|1|no|false|off|0)$/i.test(v)) return /^(yes|true|on|1)$/i.test(v);
  throw new UsageError(`${name}: expected a boolean, got ${JSON.stringify(v)}`);
};

/** Ansible passes every option it knows of, unset ones as null: null means "not given". */
function fields(given: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    if (v === null || v === undefined) continue;
    const field = TARGET_OPTIONS[k];
    // Ansible's boolean spellings ("yes", "on", ...) for the one boolean field, as Ansible's own modules accept them.
    if (field === 'removeMountpoint' && typeof v === 'string') out[field] = bool(v, k);
    else if (field) out[field] = v;
    else unknown.push(k);
  }
  if (unknown.length > 0) throw new UsageError(`Unsupported parameters for (lvmsnap) module${where}: ${unknown.sort().join(', ')}. Supported parameters include: ${Object.keys(TARGET_OPTIONS).join(', ')}`);
  return out;
}

/** The module's arguments (including Ansible's _ansible_* keys) -> a validated request. Throws UsageError. */
export function moduleRequest(args: Record<string, unknown>): ModuleRequest {
  const user = Object.fromEntries(Object.entries(args).filter(([k]) => !k.startsWith('_ansible_')));
  const { state = null, targets = null, keep_partial = null, wait = null, ...rest } = user;
  const top = fields(rest, '');
  if (state !== null && state !== 'present' && state !== 'absent') throw new UsageError(`state: expected "present" or "absent", got ${JSON.stringify(state)}`);
  const waitSeconds = wait === null ? 0 : Number(wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`wait: expected a number of seconds, got ${JSON.stringify(wait)}`);
  let selection: ModuleRequest['selection'];
  if (targets !== null) {
    if (!Array.isArray(targets)) throw new UsageError('targets: expected a list of targets (each with vg, lv, ...)');
    const members = targets.map((m, i) => (typeof m === 'object' && m !== null && !Array.isArray(m) ? fields(m as Record<string, unknown>, ` (targets[${i}])`) : m));
    selection = { kind: 'set', members: toTargets({ ...top, targets: members }, 'module options') };
  } else {
    selection = { kind: 'one', target: toTarget(top, 'module options') };
  }
  return {
    state: (state ?? 'present') as DesiredState, selection, keepPartial: bool(keep_partial, 'keep_partial'), waitSeconds,
    checkMode: bool(args['_ansible_check_mode'], '_ansible_check_mode'), diff: bool(args['_ansible_diff'], '_ansible_diff'),
  };
}

export const ALL_OPTIONS: readonly string[] = [...Object.keys(TARGET_OPTIONS), ...OTHER_OPTIONS];
