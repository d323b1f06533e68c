// Entry for `lvmsnap systemd install` and `lvmsnap initramfs install`: probe -> plan -> (print | apply).
import { ApplyFailed, UsageError } from '../errors.js';
import type { HostPort } from '../port.js';
import { RecordingHost, type CommandLog } from '../recording-host.js';
import { applyInstallPlan } from './apply.js';
import { DRACUT_FILES, INITRAMFS_PROBES, INITRAMFS_TOOLS_FILES, initramfsFlavor, planInitramfs } from './initramfs.js';
import { probe } from './probe.js';
import { planSystemd, SYSTEMD_FILES, SYSTEMD_PROBES } from './systemd.js';
import type { InstallPlan, InstallWhat } from './types.js';

export interface InstallOptions {
  readonly what: InstallWhat;
  readonly check: boolean;
  /** Where packaging/ may be, in order (env override, next to the program). */
  readonly packagingCandidates: readonly string[];
}

export interface InstallDeps {
  readonly host: HostPort;
  readonly log?: CommandLog;
  readonly stopRequested?: () => boolean;
}

export interface InstallReport {
  readonly plan: InstallPlan;
  readonly check: boolean;
  readonly changed: boolean;
  readonly commands: RecordingHost['commands'];
  readonly error?: ApplyFailed;
}

async function makePlan(what: InstallWhat, host: HostPort, candidates: readonly string[]): Promise<InstallPlan> {
  if (what === 'systemd') {
    const p = await probe(host, candidates, SYSTEMD_FILES.map((f) => f.rel), SYSTEMD_FILES.map((f) => f.dest), SYSTEMD_PROBES);
    return planSystemd(p);
  }
  const both = [...INITRAMFS_TOOLS_FILES, ...DRACUT_FILES];
  const p = await probe(host, candidates, both.map((f) => f.rel), both.map((f) => f.dest), INITRAMFS_PROBES);
  return planInitramfs(p, initramfsFlavor(p.modes));
}

export async function runInstall(opts: InstallOptions, deps: InstallDeps): Promise<InstallReport> {
  const host = new RecordingHost(deps.host, deps.log);
  const plan = await makePlan(opts.what, host, opts.packagingCandidates);
  const willChange = plan.steps.length > 0;
  if (opts.check || !willChange) return { plan, check: opts.check, changed: false, commands: host.commands };
  if (host.uid() !== 0) {
    throw new UsageError(`'lvmsnap ${opts.what} install' writes system files: run it as root (or with --check to see the plan)`);
  }
  try {
    await applyInstallPlan(plan, host, deps.stopRequested ? { stopRequested: deps.stopRequested } : {});
  } catch (err) {
    if (!(err instanceof ApplyFailed)) throw err;
    return { plan, check: false, changed: host.commands.some((c) => c.mutating), commands: host.commands, error: err };
  }
  return { plan, check: false, changed: true, commands: host.commands };
}
