// Human and --json renderings of `check reboot` and `recover`. Pure: returns strings and plain objects.
import { commandJson, describeStep } from './render.js';
import { mutatingChanges } from '../plan.js';
import type { CheckRebootReport, RecoverReport } from '../reboot/index.js';

const pad = (s: string, n: number): string => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));

/** The fixed contract: { safe, hazards: [ { severity, kind, vg, object, owner, fix } ] }. */
export function checkRebootJson(r: CheckRebootReport): { safe: boolean; hazards: object[] } {
  return { safe: r.safe, hazards: r.hazards.map((h) => ({ severity: h.severity, kind: h.kind, vg: h.vg, object: h.object, owner: h.owner, fix: h.fix })) };
}

export function renderCheckRebootHuman(r: CheckRebootReport): string {
  const blocks = r.hazards.filter((h) => h.severity === 'block').length;
  const warns = r.hazards.length - blocks;
  const head = r.safe
    ? `lvmsnap check reboot: safe to reboot${warns ? ` (${warns} warning${warns > 1 ? 's' : ''})` : ''}`
    : `lvmsnap check reboot: NOT SAFE to reboot: ${blocks} blocking hazard${blocks > 1 ? 's' : ''}${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`;
  const lines = [head];
  for (const h of r.hazards) {
    lines.push(`  ${pad(h.severity, 6)}${pad(h.kind, 15)}${pad(h.vg, 8)}${h.object}`, `        owner: ${h.owner}`, `        fix:   ${h.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderRecoverHuman(r: RecoverReport, diff: boolean): string {
  const lines = [`lvmsnap recover${r.check ? ' --check' : ''}: ${r.chains.length === 0 ? 'no lvmsnap chain found' : `${r.chains.length} lvmsnap chain${r.chains.length > 1 ? 's' : ''} found`}`];
  for (const { chain, planned } of r.chains) {
    const t = chain.target;
    lines.push(`chain ${chain.key} (origin ${chain.lv ? `${chain.vg}/${chain.lv}` : 'unknown'}${t.tmpFile ? `, tmp file ${t.tmpFile}` : ''}${t.mountpoint ? `, mountpoint ${t.mountpoint}` : ''})`);
    for (const c of planned.plan.changes) {
      lines.push(`  ${pad(c.action, 8)}${pad(c.kind, 12)}${pad(c.id, 34)}${c.reason}`);
      if (diff) for (const s of c.steps) lines.push(`            ${describeStep(s)}`);
    }
  }
  const mutating = r.commands.filter((c) => c.mutating).length;
  const toChange = r.chains.filter((c) => mutatingChanges(c.planned.plan).length > 0).length;
  if (r.refusals.length > 0) lines.push('', 'Refused, nothing was changed:', ...r.refusals.map((x) => `  - ${x}`));
  else if (r.error) lines.push('', `FAILED: ${r.error.message}`);
  else if (r.check && toChange === 0) lines.push('Nothing to recover. Nothing was changed (--check).');
  else if (r.check) lines.push('', `Plan: ${toChange} chain(s) to remove (snapshots of all chains first, then each chain's PV, loop device and file). Nothing was changed (--check).`);
  else if (toChange === 0) lines.push('Nothing to recover.');
  else lines.push(`Recovered: ${toChange} chain(s) removed (${mutating} changing commands).`);
  return `${lines.join('\n')}\n`;
}

export function recoverJson(r: RecoverReport): Record<string, unknown> {
  return {
    ok: r.refusals.length === 0 && !r.error,
    changed: r.changed,
    check: r.check,
    chains: r.chains.map(({ chain, planned }) => ({
      vg: chain.vg, snapshot: chain.snapshot, lv: chain.lv, target: chain.target,
      resources: planned.plan.changes.map((c) => ({ kind: c.kind, id: c.id, action: c.action, before: c.before, after: c.after, reason: c.reason, steps: c.steps })),
    })),
    refusals: r.refusals,
    ...(r.error ? { error: r.error.message } : {}),
    commands: r.commands.map(commandJson),
  };
}
