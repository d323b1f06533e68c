// The lvmsnap_reboot_facts module's work: `lvmsnap check reboot` as host facts (ansible_facts.lvmsnap_reboot),
// read-only (never changed, also in check mode). A failed check is failed, never reported as safe.
import type { EngineDeps } from '../engine.js';
import { LvmsnapError, UsageError } from '../errors.js';
import { runCheckReboot } from '../reboot/index.js';
import { checkRebootJson } from '../cli/render-reboot.js';
import type { ModuleResult } from './module.js';

export async function runRebootFacts(args: Record<string, unknown>, deps: EngineDeps): Promise<ModuleResult> {
  try {
    const user = Object.entries(args).filter(([k, v]) => !k.startsWith('_ansible_') && v !== null);
    const unknown = user.map(([k]) => k).filter((k) => k !== 'state_dir');
    if (unknown.length > 0) throw new UsageError(`Unsupported parameters for (lvmsnap_reboot_facts) module: ${unknown.join(', ')}. Supported parameters include: state_dir`);
    const stateDir = (args['state_dir'] ?? '/var/lib/lvmsnap') as unknown;
    if (typeof stateDir !== 'string' || !stateDir.startsWith('/')) throw new UsageError(`state_dir: expected an absolute path, got ${JSON.stringify(stateDir)}`);
    const r = await runCheckReboot({ stateDir }, deps);
    const facts = checkRebootJson(r);
    return { changed: false, ansible_facts: { lvmsnap_reboot: facts }, ...facts };
  } catch (err) {
    const message = err instanceof Error && (err instanceof LvmsnapError || err.name !== 'Error') ? err.message : String((err as Error)?.stack ?? err);
    return { failed: true, changed: false, msg: `lvmsnap: could not check: ${message}` };
  }
}
