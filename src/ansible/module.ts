// The lvmsnap module's work: arguments -> the same engine the CLI runs (one target or a set) -> Ansible's
// result. changed is the engine's (something changed, or would with check mode); failed + msg carry the
// text the CLI prints; diff holds the before/after resource states and the plan's commands.
import type { EngineDeps } from '../engine.js';
import { runApply } from '../engine.js';
import { LvmsnapError, UsageError, LockHeld } from '../errors.js';
import { applyJson, renderApplyHuman } from '../cli/render.js';
import { renderSetApplyHuman, setApplyJson } from '../cli/render-set.js';
import { EXIT } from '../cli/exit.js';
import { runSetApply } from '../set/index.js';
import { moduleRequest } from './options.js';

export type ModuleResult = Record<string, unknown>;

interface ResourceJson { readonly kind: string; readonly id: string; readonly before: string; readonly after: string; readonly steps: readonly string[]; readonly member?: string }

/** Ansible's diff: the resource states before and after (as planned), and the commands the plan runs. */
function diffOf(resources: readonly ResourceJson[]): Record<string, string> {
  const line = (r: ResourceJson, s: string) => `${r.member ? `${r.member}: ` : ''}${r.kind} ${r.id}: ${s}\n`;
  const used = resources.filter((r) => !(r.before === 'unused' && r.after === 'unused'));
  const steps = used.flatMap((r) => r.steps.map((s) => `${r.member ? `[${r.member}] ` : ''}${s}\n`));
  return {
    before_header: 'lvmsnap resources (observed)', after_header: 'lvmsnap resources (planned)',
    before: used.map((r) => line(r, r.before)).join(''), after: used.map((r) => line(r, r.after)).join(''),
    ...(steps.length > 0 ? { prepared: `lvmsnap plan, command by command:\n${steps.join('')}` } : {}),
  };
}

const errorResult = (err: unknown): ModuleResult => {
  const known = err instanceof LvmsnapError;
  const rc = err instanceof UsageError || err instanceof LockHeld ? EXIT.refused : EXIT.failed;
  // The CLI prints "lvmsnap: <message>" for these.
  return { failed: true, changed: false, rc, msg: `lvmsnap: ${known ? err.message : `unexpected error: ${(err as Error)?.stack ?? String(err)}`}` };
};

export async function runModule(args: Record<string, unknown>, deps: EngineDeps): Promise<ModuleResult> {
  try {
    const req = moduleRequest(args);
    if (req.selection.kind === 'one') {
      const t = req.selection.target;
      const r = await runApply(t, { state: req.state, check: req.checkMode, waitSeconds: req.waitSeconds }, deps);
      const json = applyJson(r, t) as { resources: ResourceJson[]; commands: unknown[]; refusals: string[] };
      const refused = r.planned.plan.refusals.length > 0 || r.rehearsal !== null;
      const failed = refused || r.error !== undefined;
      return {
        changed: r.changed, state: req.state, check_mode: req.checkMode, target: t, resources: json.resources, commands: json.commands,
        refusals: json.refusals, ...(r.rehearsal ? { rehearsal: r.rehearsal } : {}),
        rc: refused ? EXIT.refused : failed ? EXIT.failed : EXIT.ok,
        ...(failed ? { failed: true, msg: renderApplyHuman(r, t, false).trimEnd() } : {}),
        ...(req.diff && !failed ? { diff: diffOf(json.resources) } : {}),
      };
    }
    const r = await runSetApply(req.selection.members, { state: req.state, check: req.checkMode, waitSeconds: req.waitSeconds, keepPartial: req.keepPartial }, deps);
    const json = setApplyJson(r) as { members: { target: { vg: string; snapshot: string }; resources: ResourceJson[] }[]; commands: unknown[] } & Record<string, unknown>;
    const resources = json.members.flatMap((m) => m.resources.map((x) => ({ member: `${m.target.vg}/${m.target.snapshot}`, ...x })));
    const refused = r.refusals.length > 0 || r.rehearsal !== null;
    const failed = refused || r.error !== undefined;
    return {
      changed: r.changed, state: req.state, check_mode: req.checkMode, set: true, order: json['order'], members: json.members,
      resources, commands: json.commands, refusals: r.refusals, ...(r.rehearsal ? { rehearsal: r.rehearsal } : {}),
      ...(json['rollback'] ? { rollback: json['rollback'] } : {}), kept_partial: r.keptPartial,
      rc: refused ? EXIT.refused : failed ? EXIT.failed : EXIT.ok,
      ...(failed ? { failed: true, msg: renderSetApplyHuman(r, false).trimEnd() } : {}),
      ...(req.diff && !failed ? { diff: diffOf(resources) } : {}),
    };
  } catch (err) {
    return errorResult(err);
  }
}
