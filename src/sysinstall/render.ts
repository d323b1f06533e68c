// Human and --json output of the installers.
import { stepArgv } from './apply.js';
import type { InstallReport } from './run.js';

export function renderInstallHuman(r: InstallReport): string {
  const { plan } = r;
  const lines = [`lvmsnap ${plan.what} install (${plan.flavor})${r.check ? ' --check' : ''}`];
  for (const f of plan.packaged) lines.push(`  ok       ${f}  (installed by the lvmsnap package)`);
  for (const u of plan.upToDate) lines.push(`  ok       ${u.dest}  (up to date)`);
  for (const s of plan.steps) {
    lines.push(s.type === 'install' ? `  install  ${s.dest}  (${s.reason})` : `  run      ${s.argv.join(' ')}  (${s.reason})`);
    if (r.check) lines.push(`           $ ${stepArgv(s).join(' ')}`);
  }
  if (r.error) lines.push(`Failed: ${r.error.message}`);
  else if (plan.steps.length === 0) lines.push(plan.packaged.length > 0 ? 'Nothing to do: the lvmsnap package installed these files.' : 'Nothing to do: everything is in place.');
  else if (r.check) lines.push(`Would run ${plan.steps.length} step(s); nothing was changed (--check).`);
  else lines.push(`Done: ${plan.steps.length} step(s).`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export function installJson(r: InstallReport): Record<string, unknown> {
  return {
    ok: r.error === undefined,
    what: r.plan.what,
    flavor: r.plan.flavor,
    check: r.check,
    changed: r.changed,
    steps: r.plan.steps.map((s) => ({ ...s, argv: stepArgv(s) })),
    upToDate: r.plan.upToDate,
    packaged: r.plan.packaged,
    notes: r.plan.notes,
    commands: r.commands,
    ...(r.error ? { error: r.error.message } : {}),
  };
}
