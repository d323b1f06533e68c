// `lvmsnap check reboot`: observe the whole host once, find lvmsnap's chains, list the hazards. Read-only.
import type { EngineDeps } from '../engine.js';
import { RecordingHost } from '../recording-host.js';
import { discoverChains } from './discover.js';
import { analyzeHazards, type Hazard } from './hazards.js';
import { observeHost } from './observe-host.js';

export interface CheckRebootReport {
  readonly safe: boolean;
  readonly hazards: readonly Hazard[];
  readonly commands: RecordingHost['commands'];
}

export async function runCheckReboot(opts: { readonly stateDir: string }, deps: EngineDeps): Promise<CheckRebootReport> {
  const host = new RecordingHost(deps.host, deps.log);
  const view = await observeHost(host, opts.stateDir);
  const hazards = analyzeHazards(view, discoverChains(view));
  return { safe: !hazards.some((h) => h.severity === 'block'), hazards, commands: host.commands };
}
