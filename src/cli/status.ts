// lvmsnap status: the observed state of every resource of the chain. Read-only, takes no lock.
import { runStatus } from '../engine.js';
import { EXIT } from './exit.js';
import { renderStatusHuman, statusJson } from './render.js';
import type { CommandSpec } from './spec.js';
import { makeLog, OUTPUT_GROUP, TARGET_GROUP, selectionFrom } from './target-flags.js';

export const status: CommandSpec = {
  name: 'status',
  summary: 'show the observed state of every resource',
  usage: 'status TARGET [options]',
  description:
    'Shows each resource of the chain (tmp file, loop device, PV, snapshot, mount) as present, absent, partial, ' +
    'degraded, foreign or unused, with what was observed (e.g. how full the snapshot is), and the overall state.',
  groups: [TARGET_GROUP, OUTPUT_GROUP],
  examples: [
    ['status --vg vg0 --lv root --mountpoint /mnt/snap', 'is the snapshot there, mounted, how full?'],
    ['status --config /etc/lvmsnap/root.yaml --json', 'the same for scripts'],
    ['status --config /etc/lvmsnap/set.yaml', 'every member of a snapshot set, and the set\'s state'],
  ],
  run: async (args, io) => {
    const selection = await selectionFrom(args, io.host);
    const log = await makeLog(args);
    if (selection.kind === 'set') {
      const { runSetStatus } = await import('../set/index.js');
      const { renderSetStatusHuman, setStatusJson } = await import('./render-set.js');
      const r = await runSetStatus(selection.members, { host: io.host, ...(log ? { log } : {}) });
      io.stdout(args['json'] ? `${JSON.stringify(setStatusJson(r), null, 2)}\n` : renderSetStatusHuman(r));
      return EXIT.ok;
    }
    const target = selection.target;
    const r = await runStatus(target, { host: io.host, ...(log ? { log } : {}) });
    io.stdout(args['json'] ? `${JSON.stringify(statusJson(r, target), null, 2)}\n` : renderStatusHuman(r, target));
    return EXIT.ok;
  },
};
