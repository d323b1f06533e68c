// Human and --json renderings of apply/plan/status reports. Pure: returns strings.
import type { ApplyReport, StatusReport } from '../engine.js';
import type { Facts, SnapshotKind } from '../facts.js';
import { inProcessOp } from '../in-process/ops.js';
import type { CommandRecord } from '../recording-host.js';
import type { PlannedChange, ResourceView, Step, Target } from '../types.js';

/** One --json "commands" entry: argv, exit code, time, mutating; "inProcess": true for one answered without a process. */
export const commandJson = (c: CommandRecord): Record<string, unknown> =>
  ({ argv: c.argv, exitCode: c.exitCode, ms: c.ms, mutating: c.mutating, ...(c.inProcess ? { inProcess: true } : {}) });

const pad = (s: string, n: number): string => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));

export function describeStep(step: Step): string {
  switch (step.type) {
    case 'exec': {
      const line = `$ ${step.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}`;
      return inProcessOp(step.argv) ? `${line}  # in-process, no ${step.argv[0]} process` : line;
    }
    case 'journal': {
      const parts = [...Object.keys(step.set).map((k) => `record ${k}`), ...(step.clear ?? []).map((k) => `forget ${k}`)];
      return `# journal: ${parts.join(', ')}`;
    }
    case 'recordFileIdentity':
      return `# journal: record device and inode of ${step.path}`;
    case 'writeFile':
      return `# write ${step.path} (${Buffer.byteLength(step.content)} bytes, mode 0600)`;
  }
}

function changeLines(changes: readonly PlannedChange[], diff: boolean): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    lines.push(`  ${pad(c.action, 8)}${pad(c.kind, 12)}${pad(c.id, 34)}${c.reason}`);
    if (diff) for (const s of c.steps) lines.push(`            ${describeStep(s)}`);
  }
  return lines;
}

/** "thin snapshot ... in pool vg0/pool" or, of a thin origin, "classic COW snapshot"; plain "snapshot" otherwise. */
const kindWords = (k: SnapshotKindInfo | undefined, t: Target): string =>
  k?.kind === 'thin' ? `thin snapshot ${t.vg}/${t.snapshot} in pool ${t.vg}/${k.pool}` : `${k?.thinOrigin ? 'classic COW snapshot' : 'snapshot'} ${t.vg}/${t.snapshot}`;

const targetLine = (t: Target, verb: string, k?: SnapshotKindInfo): string =>
  `lvmsnap ${verb}: ${t.vg}/${t.lv} -> ${kindWords(k, t)}${t.mountpoint ? ` at ${t.mountpoint}` : ''}${t.tmpFile ? ` (COW space from ${t.tmpFile})` : ''}`;

interface SnapshotKindInfo { readonly kind: SnapshotKind; readonly pool: string | null; readonly thinOrigin: boolean }
const kindInfo = (f: Facts): SnapshotKindInfo => ({ kind: f.snapshotKind, pool: f.origin?.thin?.pool ?? null, thinOrigin: f.origin?.thin?.kind === 'volume' });

function counts(changes: readonly PlannedChange[]) {
  const n = (a: PlannedChange['action']) => changes.filter((c) => c.action === a).length;
  return { create: n('create'), destroy: n('destroy'), ok: n('ok'), refuse: n('refuse') };
}

export function renderApplyHuman(r: ApplyReport, target: Target, diff: boolean): string {
  const { plan } = r.planned;
  const verb = r.check ? `plan --state ${plan.state}` : `apply --state ${plan.state}`;
  const lines = [targetLine(target, verb, kindInfo(r.planned.facts)), ...changeLines(plan.changes, diff)];
  const c = counts(plan.changes);
  const mutating = r.commands.filter((x) => x.mutating).length;
  const secs = (r.commands.reduce((a, x) => a + x.ms, 0) / 1000).toFixed(1);
  if (plan.refusals.length > 0) {
    lines.push('', 'Refused, nothing was changed:', ...plan.refusals.map((x) => `  - ${x}`));
  } else if (r.error) {
    lines.push('', `FAILED: ${r.error.message}`);
  } else if (r.check) {
    if (r.rehearsal) lines.push('', `Rehearsal on a model of this system: the plan would fail: ${r.rehearsal}`);
    else if (c.create + c.destroy > 0) lines.push('', 'Rehearsed on a model of this system: the plan runs to completion.');
    lines.push(`Plan: ${c.create} to create, ${c.destroy} to destroy, ${c.ok} unchanged. Nothing was changed (--check).`);
  } else if (c.create + c.destroy === 0) {
    lines.push(`No changes: already ${plan.state} (${r.commands.length} read-only commands).`);
  } else {
    lines.push(`Applied: ${c.create} created, ${c.destroy} destroyed, ${c.ok} unchanged (${mutating} changing commands, ${secs} s in commands).`);
  }
  return `${lines.join('\n')}\n`;
}

const viewJson = (v: ResourceView) => ({ kind: v.kind, id: v.id, status: v.status, observed: v.observed, ...(v.reason ? { reason: v.reason } : {}) });

export function applyJson(r: ApplyReport, target: Target): Record<string, unknown> {
  const { plan, views } = r.planned;
  const byKind = new Map(views.map((v) => [v.kind, v]));
  return {
    changed: r.changed,
    state: plan.state,
    check: r.check,
    target,
    snapshotKind: r.planned.facts.snapshotKind,
    ok: plan.refusals.length === 0 && !r.error && !r.rehearsal,
    resources: plan.changes.map((c) => ({
      kind: c.kind,
      id: c.id,
      action: c.action,
      before: c.before,
      after: c.after,
      reason: c.reason,
      observed: byKind.get(c.kind)?.observed ?? null,
      steps: c.steps.map(describeStep),
    })),
    refusals: plan.refusals,
    ...(r.rehearsal ? { rehearsal: { ok: false, error: r.rehearsal } } : r.check ? { rehearsal: { ok: true } } : {}),
    ...(r.error ? { error: r.error.message } : {}),
    commands: r.commands.map(commandJson),
  };
}

/** A short human summary of what was observed, e.g. "mounted ro,relatime,norecovery" or "12.5% of 64 MiB used". */
function detail(v: ResourceView): string {
  const o = v.observed ?? {};
  const mib = (n: unknown) => (typeof n === 'number' ? `${Math.round((n / 1048576) * 10) / 10} MiB` : '?');
  switch (v.kind) {
    case 'TmpFile': return 'size' in o ? `${mib(o['size'])} file` : '';
    case 'LoopDevice': return 'backFile' in o ? `backed by ${String(o['backFile'])}` : '';
    case 'PvInVg': return 'peCount' in o ? `${String(o['peAllocCount'])}/${String(o['peCount'])} extents used${o['missing'] ? ', MISSING' : ''}` : '';
    case 'Snapshot':
      if (o['kind'] === 'thin') return `thin snapshot, ${mib(o['virtualBytes'])} virtual; thin pool ${String(o['pool'])}: data ${o['poolDataPercent'] ?? '?'}%, metadata ${o['poolMetadataPercent'] ?? '?'}% used`;
      return 'sizeBytes' in o ? `${o['usedPercent'] ?? '?'}% of ${mib(o['sizeBytes'])} copy-on-write space used` : '';
    case 'Mountpoint': return 'options' in o ? `${String(o['source'])} mounted ${(o['options'] as string[]).join(',')}` : '';
    case 'ShutdownGuard': return 'active' in o ? `systemd unit ${String(o['active'])}` : '';
    case 'Archive': return '';
  }
}

export function renderStatusHuman(r: StatusReport, target: Target): string {
  const lines = [
    targetLine(target, 'status', r.facts ? kindInfo(r.facts) : undefined),
    ...r.views.map((v) => `  ${pad(v.status, 9)}${pad(v.kind, 12)}${pad(v.id, 34)}${[detail(v), v.reason].filter(Boolean).join('; ')}`),
  ];
  lines.push(`State: ${r.state}`);
  return `${lines.join('\n')}\n`;
}

export function statusJson(r: StatusReport, target: Target): Record<string, unknown> {
  return {
    state: r.state,
    target,
    ...(r.facts ? { snapshotKind: r.facts.snapshotKind } : {}),
    resources: r.views.map(viewJson),
    commands: r.commands.map(commandJson),
  };
}
