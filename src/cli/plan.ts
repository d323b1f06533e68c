// lvmsnap plan: what apply would change, rehearsed, nothing changed (apply --check --diff).
import type { DesiredState } from '../types.js';
import { applyCommand, DETAILED_EXITCODE } from './apply.js';
import type { CommandSpec } from './spec.js';
import { OUTPUT_GROUP, TARGET_GROUP } from './target-flags.js';

export const plan: CommandSpec = {
  name: 'plan',
  summary: 'show what apply would change (same as apply --check --diff)',
  usage: 'plan TARGET [--state present|absent] [options]',
  description:
    'Prints every change and the exact commands it would run, and rehearses them on a model of the observed ' +
    'system, so a plan that would fail part-way is reported (exit 3) before anything changes. Takes no lock.',
  groups: [
    {
      title: 'Plan',
      flags: [
        { name: 'state', type: 'string', choices: ['present', 'absent'], default: 'present', describe: 'desired state' },
        { ...DETAILED_EXITCODE, describe: 'exit 2 when changes are planned' },
      ],
    },
    TARGET_GROUP,
    OUTPUT_GROUP,
  ],
  examples: [
    ['plan --vg vg0 --lv root --mountpoint /mnt/snap', 'what present would do'],
    ['plan --vg vg0 --lv home', 'of a thin origin: says it makes a thin snapshot in its pool'],
    ['plan --state absent --config /etc/lvmsnap/root.yaml --json', 'what absent would do, as JSON'],
    ['plan --config /etc/lvmsnap/set.yaml', 'a snapshot set: every member checked and rehearsed, in the order apply runs them'],
  ],
  run: (args, io) => applyCommand(args, io, args['state'] as DesiredState, true, true),
};
