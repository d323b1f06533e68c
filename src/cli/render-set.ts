// Human and --json renderings of snapshot-set reports (src/set/). Each member is shown as the single-target
// report would show it; the set's own lines say what failed and what was rolled back.
import type { SetApplyReport, SetMemberReport, SetStatusReport } from '../set/index.js';
import { applyJson, commandJson, describeStep, renderApplyHuman, renderStatusHuman, statusJson } from './render.js';
import type { ApplyReport } from '../engine.js';

const memberName = (m: SetMemberReport): string => `${m.target.vg}/${m.target.snapshot}`;

/** A member as the single-target renderers see it. */
function asApplyReport(m: SetMemberReport, check: boolean, rehearsal: string | null): ApplyReport {
  return { planned: m.planned, check, changed: m.changed, commands: m.commands, rehearsal };
}

export function renderSetApplyHuman(r: SetApplyReport, diff: boolean): string {
  const verb = r.check ? 'plan' : 'apply';
  const lines = [`lvmsnap ${verb} --state ${r.state}: snapshot set of ${r.members.length} (one after another, in this order: ${r.members.map(memberName).join(', ')})`];
  for (const m of r.members) {
    // Each member's lines without its own verdict: the set's verdict follows.
    const text = renderApplyHuman(asApplyReport(m, r.check, null), m.target, diff).trimEnd().split('\n');
    const verdict = text.findIndex((l, i) => i > 0 && !l.startsWith('  '));
    lines.push(...(verdict === -1 ? text : text.slice(0, verdict)));
    if (m.outcome === 'failed') lines.push(`  FAILED: ${m.error!.split('\n').join('\n  ')}`);
    else if (!r.check && r.refusals.length === 0 && m.outcome === 'not-run') lines.push('  not run: an earlier member failed');
  }
  const changes = r.members.flatMap((m) => m.planned.plan.changes);
  const n = (a: string) => changes.filter((c) => c.action === a).length;
  lines.push('');
  if (r.refusals.length > 0) {
    lines.push('Refused, nothing was changed:', ...r.refusals.map((x) => `  - ${x}`));
  } else if (r.check) {
    if (r.rehearsal) lines.push(`Rehearsal on a model of this system: the plan would fail: ${r.rehearsal}`);
    else if (n('create') + n('destroy') > 0) lines.push('Rehearsed on a model of this system: every member runs to completion.');
    lines.push(`Plan: ${n('create')} to create, ${n('destroy')} to destroy, ${n('ok')} unchanged. Nothing was changed (--check).`);
  } else if (r.error) {
    lines.push(`FAILED: member ${r.error.member} failed.`);
    if (r.rollback) {
      lines.push(r.rollback.members.length === 0
        ? 'Rolled back: this run had created nothing.'
        : `Rolled back to absent (members this run created): ${r.rollback.members.join(', ')}${r.rollback.ok ? '.' : ' — NOT all of it:'}`);
      for (const e of r.rollback.errors) lines.push(`  - ${e}`);
      if (!r.rollback.ok) lines.push(`Fix the cause and rerun "lvmsnap apply --state absent" with this config.`);
    } else if (r.keptPartial) {
      const kept = r.members.filter((m) => m.changed).map(memberName);
      lines.push(`Kept (--keep-partial): ${kept.join(', ') || 'nothing'}. Rerun with --state present to finish, or --state absent to remove them.`);
    }
  } else if (!r.changed) {
    lines.push(`No changes: every member already ${r.state}.`);
  } else {
    lines.push(`Applied: ${n('create')} created, ${n('destroy')} destroyed, ${n('ok')} unchanged, over ${r.members.length} members.`);
  }
  return `${lines.join('\n')}\n`;
}

export function setApplyJson(r: SetApplyReport): Record<string, unknown> {
  return {
    set: true,
    changed: r.changed,
    state: r.state,
    check: r.check,
    ok: r.refusals.length === 0 && !r.error && !r.rehearsal,
    order: r.members.map(memberName),
    members: r.members.map((m) => ({
      ...applyJson(asApplyReport(m, r.check, null), m.target),
      outcome: m.outcome,
      ...(m.error ? { error: m.error } : {}),
    })),
    refusals: r.refusals,
    ...(r.rehearsal ? { rehearsal: { ok: false, error: r.rehearsal } } : r.check ? { rehearsal: { ok: true } } : {}),
    ...(r.error ? { error: `member ${r.error.member} failed: ${r.error.message}`, failedMember: r.error.member } : {}),
    ...(r.rollback ? { rollback: { members: r.rollback.members, ok: r.rollback.ok, errors: r.rollback.errors, steps: r.rollback.reports.flatMap((m) => m.planned.plan.changes.flatMap((c) => c.steps.map(describeStep))) } } : {}),
    keptPartial: r.keptPartial,
    commands: r.commands.map(commandJson),
  };
}

export function renderSetStatusHuman(r: SetStatusReport): string {
  const parts = r.members.map((m) => renderStatusHuman(m.report, m.target).trimEnd());
  return `${parts.join('\n')}\nSet state: ${r.state} (${r.members.length} members)\n`;
}

export function setStatusJson(r: SetStatusReport): Record<string, unknown> {
  return { set: true, state: r.state, members: r.members.map((m) => statusJson(m.report, m.target)) };
}
