// lvmsnap recover: every lvmsnap chain on the host (or in --vg) taken to absent, before or after a reboot,
// through the same planner and applier as `apply --state absent`. No target needed.
import { DETAILED_EXITCODE } from './apply.js';
import { fromRebootBundle, stateDirOf, STATE_DIR_FLAG } from './check-reboot.js';
import { EXIT } from './exit.js';
import type { CommandSpec } from './spec.js';
import { makeLog, OUTPUT_GROUP, selectionFrom } from './target-flags.js';
import { UsageError } from '../errors.js';
import type { CliIo, ParsedArgs } from './spec.js';
import type { Target } from '../types.js';

/** --config: the members whose chains to recover, and the state directory (--state-dir when given, else the config's). */
async function membersOf(args: ParsedArgs, io: CliIo, flagDir: string): Promise<{ members?: readonly Target[]; stateDir: string }> {
  const config = args['config'] as string | undefined;
  if (config === undefined) return { stateDir: flagDir };
  // Only the file: recover's --vg narrows the scope, it does not name a target.
  const s = await selectionFrom({ _: [], config }, io.host);
  const all = s.kind === 'set' ? s.members : [s.target];
  const vg = args['vg'] as string | undefined;
  const members = all.filter((t) => vg === undefined || t.vg === vg);
  if (members.length === 0) throw new UsageError(`no target in ${config} is in volume group ${vg}: drop --vg, or pass one of ${[...new Set(all.map((t) => t.vg))].join(', ')}`);
  if (flagDir !== STATE_DIR_FLAG.default) return { members, stateDir: flagDir };
  const dirs = [...new Set(members.map((t) => t.stateDir))];
  if (dirs.length > 1) throw new UsageError(`the targets in ${config} use different state directories (${dirs.join(', ')}): recover them one --state-dir at a time (--state-dir DIR --vg VG)`);
  return { members, stateDir: dirs[0]! };
}

export const recover: CommandSpec = {
  name: 'recover',
  summary: 'remove every lvmsnap chain (or those in --vg), before or after a reboot; no target needed',
  usage: 'recover [--config FILE] [--vg VG] [--check] [--json] [--state-dir DIR]',
  description:
    'Finds lvmsnap\'s chains from LV and PV tags (readable even when the PV is missing), the PV UUID derived from the ' +
    'target, the journals under --state-dir, loop backing files and mounts, and removes each exactly as ' +
    '"apply --state absent" would: after a reboot that lost the loop PV that is lvremove of the snapshot, ' +
    'vgreduce --removemissing WITHOUT --force, and reactivating the origin. Snapshots of all chains go first. ' +
    'Refuses, changing nothing and naming the object, when a missing PV is not lvmsnap\'s or holds extents of an ' +
    'LV lvmsnap did not create. With --config FILE, only the chains of that config\'s target, or of every member of its snapshot ' +
    'set (targets: [...]), are recovered, and only missing PVs in their volume groups count; the journals are read from the ' +
    'config\'s stateDir unless --state-dir is given; another lvmsnap chain that lost its PV in the same volume group is refused ' +
    '(its missing PV would stop vgreduce --removemissing): recover that VG with --vg.',
  groups: [
    {
      title: 'Recover',
      flags: [
        { name: 'config', type: 'string', value: 'FILE', complete: 'file', describe: 'only the chains of this config\'s target, or of every member of its snapshot set' },
        { name: 'vg', type: 'string', value: 'VG', complete: 'vg', describe: 'only chains in this volume group (and only its missing PVs count); with --config, the members in VG' },
        { name: 'check', type: 'boolean', default: false, describe: 'print the plan (every command); change nothing' },
        DETAILED_EXITCODE,
        STATE_DIR_FLAG,
      ],
    },
    OUTPUT_GROUP,
  ],
  examples: [
    ['recover --check', 'what would be removed, command by command; nothing changes'],
    ['recover', 'remove every lvmsnap snapshot, loop PV, loop device and tmp file on the host'],
    ['recover --vg vg0', 'after a reboot with a snapshot in place: bring vg0 and its origin back'],
    ['recover --config /etc/lvmsnap/set.yaml', 'the chains of every member of a snapshot set (e.g. after a killed set backup)'],
  ],
  run: async (args, io) => {
    const { members, stateDir } = await membersOf(args, io, stateDirOf(args));
    const log = await makeLog(args);
    const { runRecover } = await import('../reboot/index.js');
    const { recoverJson, renderRecoverHuman } = await import('./render-reboot.js');
    const vg = args['vg'] as string | undefined;
    const check = args['check'] === true;
    let r: Awaited<ReturnType<typeof runRecover>>;
    try {
      r = await runRecover({ ...(vg !== undefined ? { vg } : {}), ...(members ? { members } : {}), check, stateDir }, { host: io.host, ...(log ? { log } : {}), ...io.deps });
    } catch (err) {
      const { exit, message } = fromRebootBundle(err);
      io.stderr(`lvmsnap: ${message}\n`);
      if (args['json']) io.stdout(`${JSON.stringify({ ok: false, changed: false, exitCode: exit, error: message, errorType: (err as Error)?.name ?? 'Error', chains: [], commands: [] }, null, 2)}\n`);
      return exit;
    }
    io.stdout(args['json'] ? `${JSON.stringify(recoverJson(r), null, 2)}\n` : renderRecoverHuman(r, check));
    // With --json, stdout is for scripts; a person watching still sees why nothing happened.
    if (args['json']) {
      for (const x of r.refusals) io.stderr(`lvmsnap: refused: ${x}\n`);
      if (r.error) io.stderr(`lvmsnap: ${r.error.message}\n`);
    }
    if (r.refusals.length > 0) return EXIT.refused;
    if (r.error) return EXIT.failed;
    return args['detailed-exitcode'] && r.changed ? EXIT.changed : EXIT.ok;
  },
};
