// What `systemd install` and `initramfs install` share at the CLI: their flags and their run body
// (the installer itself is src/sysinstall, loaded only when one of them runs).
import type { InstallWhat } from '../sysinstall/types.js';
import { EXIT } from './exit.js';
import type { CommandSpec, FlagGroup } from './spec.js';
import { makeLog, OUTPUT_GROUP } from './target-flags.js';

export const INSTALL_GROUPS: readonly FlagGroup[] = [
  { title: 'Install', flags: [{ name: 'check', type: 'boolean', default: false, describe: 'print the plan (every command); change nothing' }] },
  OUTPUT_GROUP,
];

/** The run of `lvmsnap WHAT install`: 0 done or nothing to do (also --check), 1 a step failed; refusals throw (exit 3). */
export function installRun(what: InstallWhat): CommandSpec['run'] {
  return async (args, io) => {
    const { installCommand } = await import('../sysinstall/cli-run.js');
    const log = await makeLog(args);
    const stop = io.deps?.stopRequested;
    const code = await installCommand(what, { check: args['check'] === true, json: args['json'] === true, ...(log ? { log } : {}) }, {
      stdout: io.stdout, stderr: io.stderr, host: io.host, ...(stop ? { stopRequested: stop } : {}),
    });
    return code === 0 ? EXIT.ok : EXIT.failed;
  };
}
