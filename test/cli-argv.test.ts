// The declarative argv parser (src/cli/argv.ts) on a made-up registry: every form it accepts, and a
// UsageError naming the flag and the command's --help for everything it does not.
import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../src/cli/argv.js';
import type { CommandSpec } from '../src/cli/spec.js';
import { UsageError } from '../src/errors.js';

const cmd = (name: string, extra: Partial<CommandSpec> = {}): CommandSpec => ({
  name,
  summary: `the ${name} command`,
  usage: `${name} [options]`,
  groups: [
    {
      title: 'Flags',
      flags: [
        { name: 'vg', type: 'string', value: 'NAME', describe: 'a VG' },
        { name: 'keep', type: 'number', default: 7, describe: 'how many' },
        { name: 'mode', type: 'string', choices: ['fast', 'safe'], default: 'safe', describe: 'how' },
        { name: 'dry-run', type: 'boolean', default: false, describe: 'change nothing' },
        { name: 'force', type: 'boolean', describe: 'no default: undefined when absent' },
        { name: 'verbose', alias: 'v', type: 'boolean', default: false, describe: 'talk' },
        { name: 'exclude', type: 'string', repeat: true, describe: 'several' },
      ],
    },
  ],
  examples: [],
  run: async () => 0,
  ...extra,
});

const REG: CommandSpec[] = [
  cmd('apply'),
  cmd('backups prune', { positionals: [{ name: 'DIR', describe: 'where', required: true }] }),
  cmd('backups list'),
  cmd('check reboot'),
];

const run = (argv: string[]) => {
  const inv = parseInvocation(argv, REG);
  if (inv.kind !== 'run') throw new Error(`expected run, got ${inv.kind}`);
  return { name: inv.command.name, args: inv.args };
};
const usage = (argv: string[]): string => {
  try {
    parseInvocation(argv, REG);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('argv parser', () => {
  it('applies defaults and leaves flags without one undefined', () => {
    expect(run(['apply']).args).toEqual({ _: [], keep: 7, mode: 'safe', 'dry-run': false, verbose: false });
  });
  it('accepts --x v, --x=v, --no-x, -v, numbers, repeats and --', () => {
    const { args } = run(['apply', '--vg', 'vg0', '--keep=3', '--mode=fast', '--no-dry-run', '-v', '--force', '--exclude', 'a', '--exclude=b']);
    expect(args).toMatchObject({ vg: 'vg0', keep: 3, mode: 'fast', 'dry-run': false, verbose: true, force: true, exclude: ['a', 'b'] });
    expect(run(['apply', '--dry-run=true', '--keep', '-2']).args).toMatchObject({ 'dry-run': true, keep: -2 });
  });
  it('matches multi-word commands and takes positionals, also after --', () => {
    expect(run(['backups', 'prune', '/srv']).name).toBe('backups prune');
    expect(run(['backups', 'prune', '/srv']).args._).toEqual(['/srv']);
    expect(run(['backups', 'prune', '--', '--odd-dir']).args._).toEqual(['--odd-dir']);
    expect(run(['check', 'reboot', '-v']).name).toBe('check reboot');
  });
  it('explains what is wrong and where to look', () => {
    expect(usage([])).toBe('name a command: apply, backups prune, backups list, check reboot\nsee lvmsnap --help');
    expect(usage(['--vg', 'x'])).toMatch(/^name a command before the flags/);
    expect(usage(['frob'])).toMatch(/^unknown command: frob\nname a command: apply/);
    expect(usage(['backups'])).toBe('lvmsnap backups needs a subcommand: backups prune, backups list\nsee lvmsnap backups --help');
    expect(usage(['backups', 'drop'])).toMatch(/^unknown command: backups drop/);
    expect(usage(['apply', '--nope'])).toBe('unknown flag --nope for lvmsnap apply\nsee lvmsnap apply --help');
    expect(usage(['apply', '--dryrun'])).toMatch(/did you mean --dry-run\?/);
    expect(usage(['apply', '-x'])).toBe('unknown flag -x for lvmsnap apply\nsee lvmsnap apply --help');
    expect(usage(['apply', '--vg'])).toBe('--vg needs a value (NAME)\nsee lvmsnap apply --help');
    expect(usage(['apply', '--vg', '--keep', '1'])).toMatch(/^--vg needs a value/);
    expect(usage(['apply', '--mode', 'slow'])).toBe('invalid value for --mode: "slow"; choose one of: fast, safe\nsee lvmsnap apply --help');
    expect(usage(['apply', '--keep', 'many'])).toMatch(/^--keep expects a number, got "many"/);
    expect(usage(['apply', '--keep='])).toMatch(/^--keep expects a number, got ""/);
    expect(usage(['apply', '--dry-run=maybe'])).toMatch(/^--dry-run is a switch/);
    expect(usage(['apply', '--vg', 'a', '--vg', 'b'])).toMatch(/^--vg is given more than once/);
    expect(usage(['apply', 'extra'])).toMatch(/^unexpected argument "extra": lvmsnap apply takes no arguments/);
    expect(usage(['backups', 'prune'])).toBe('missing argument DIR: where\nsee lvmsnap backups prune --help');
  });
  it('reports a missing required flag with its choices', () => {
    const reg = [cmd('x', { groups: [{ title: 'F', flags: [{ name: 'state', type: 'string', choices: ['present', 'absent'], required: true, describe: 's' }] }] })];
    expect(() => parseInvocation(['x'], reg)).toThrow('Missing required argument: --state (present or absent)\nsee lvmsnap x --help');
  });
  it('finds --help and --version anywhere before --', () => {
    expect(parseInvocation(['--help'], REG)).toEqual({ kind: 'help', command: null, prefix: '' });
    expect(parseInvocation(['apply', '--vg', 'x', '-h'], REG)).toMatchObject({ kind: 'help', command: { name: 'apply' } });
    expect(parseInvocation(['backups', '--help'], REG)).toEqual({ kind: 'help', command: null, prefix: 'backups' });
    expect(parseInvocation(['--version'], REG)).toEqual({ kind: 'version' });
    expect(parseInvocation(['apply', '-V'], REG)).toEqual({ kind: 'version' });
    expect(run(['backups', 'prune', '--', '--help']).args._).toEqual(['--help']);
    expect(usage(['frob', '--help'])).toMatch(/^unknown command: frob/);
  });
});
