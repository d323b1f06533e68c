// The flags every snapshot command shares (the target, output and logging), and turning them into a
// validated Target. YAML and pino are loaded only when a YAML config or a log is actually asked for.
import type { EngineDeps } from '../engine.js';
import { UsageError } from '../errors.js';
import type { HostPort } from '../port.js';
import { isSetConfig, toTargets } from '../set/config.js';
import { parseConfigText, toTarget } from '../target.js';
import type { Target } from '../types.js';
import type { FlagGroup, FlagSpec, ParsedArgs } from './spec.js';

export const TARGET_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', value: 'FILE', complete: 'file', describe: 'YAML or JSON file describing the target (the flags below override it), or a snapshot set (targets: [...])' },
  { name: 'vg', type: 'string', value: 'NAME', complete: 'vg', describe: 'volume group of the origin LV' },
  { name: 'lv', type: 'string', value: 'NAME', complete: 'lv', describe: 'origin LV to snapshot' },
  { name: 'snapshot', type: 'string', value: 'NAME', shownDefault: '<lv>-lvmsnap', describe: 'snapshot LV name' },
  { name: 'size', type: 'string', value: 'SIZE', shownDefault: '20%ORIGIN', describe: 'copy-on-write space: 512M, 4G or 25%ORIGIN (LVM units, powers of 1024)' },
  { name: 'mountpoint', type: 'string', value: 'PATH', complete: 'dir', describe: 'mount the snapshot read-only here (omit: not mounted)' },
  { name: 'mount-options', type: 'string', value: 'OPTS', describe: 'mount options for filesystems other than ext2/3/4 and xfs (ro is always added)' },
  { name: 'tmp-file', type: 'string', value: 'PATH', complete: 'file', describe: 'borrow the COW space from this file via a loop PV (for a full VG)' },
  { name: 'tmp-file-size', type: 'string', value: 'SIZE', shownDefault: 'snapshot size plus PV metadata', describe: 'size of the tmp file' },
  { name: 'loop-device', type: 'string', value: 'DEV', complete: 'file', shownDefault: 'the first free one', describe: 'loop device to use' },
  { name: 'cow-device', type: 'string', value: 'DEV', complete: 'file', describe: 'borrow the COW space from this spare whole disk (no partitions, no signature) as a PV instead of a tmp file; it survives a reboot. A stable /dev/disk/by-id/NAME (or by-path) link is followed to the disk and recommended: /dev/sdX names can change across a reboot' },
  { name: 'allocate', type: 'string', choices: ['auto', 'fallocate', 'zero'], shownDefault: 'auto', describe: 'how to allocate the tmp file (never sparse)' },
  { name: 'remove-mountpoint', type: 'boolean', describe: 'with --state absent: also remove a mountpoint directory lvmsnap did not create' },
  { name: 'thin-pool-threshold', type: 'string', value: 'PERCENT', shownDefault: '90', describe: "thin origin (thin snapshot unless --size/--tmp-file): refuse above this pool usage" },
  { name: 'state-dir', type: 'string', value: 'DIR', complete: 'dir', shownDefault: '/var/lib/lvmsnap', describe: 'where lvmsnap records what it created' },
];

export const OUTPUT_FLAGS: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', default: false, describe: 'print one JSON object on stdout' },
  { name: 'verbose', alias: 'v', type: 'boolean', default: false, describe: 'log every command (argv, exit code, stderr, duration) to stderr as JSON lines' },
  { name: 'log-file', type: 'string', value: 'FILE', complete: 'file', describe: 'also write the JSON log to this file' },
];

export const TARGET_GROUP: FlagGroup = { title: 'Target', flags: TARGET_FLAGS };
export const OUTPUT_GROUP: FlagGroup = { title: 'Output', flags: OUTPUT_FLAGS };

const FIELD_OF_FLAG: Readonly<Record<string, string>> = {
  vg: 'vg', lv: 'lv', snapshot: 'snapshot', size: 'size', mountpoint: 'mountpoint', 'mount-options': 'mountOptions',
  'tmp-file': 'tmpFile', 'tmp-file-size': 'tmpFileSize', 'loop-device': 'loopDevice', 'cow-device': 'cowDevice', allocate: 'allocate',
  'remove-mountpoint': 'removeMountpoint', 'state-dir': 'stateDir', 'thin-pool-threshold': 'thinPoolThreshold',
};

/** A config file's parsed content (a mapping), or {} without --config; refuses a run with no target at all. */
async function configBase(args: ParsedArgs, host: HostPort): Promise<Record<string, unknown>> {
  const config = args['config'] as string | undefined;
  if (config === undefined) {
    if (args['vg'] === undefined || args['lv'] === undefined) throw new UsageError('no target: pass --vg NAME --lv NAME (or --config FILE); see lvmsnap --help');
    return {};
  }
  const text = await host.readFile(config);
  if (text === null) throw new UsageError(`config file ${config} not found`);
  const parsed = await parseConfigText(text, config);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`config ${config}: expected a mapping of fields`);
  return parsed as Record<string, unknown>;
}

/** One target, or a snapshot set (a config holding `targets:`). */
export type Selection = { readonly kind: 'one'; readonly target: Target } | { readonly kind: 'set'; readonly members: readonly Target[] };

/** The target (or set) from --config and the target flags. With a set config, only --state-dir may be given as a flag (a default for every member). */
export async function selectionFrom(args: ParsedArgs, host: HostPort): Promise<Selection> {
  const base = await configBase(args, host);
  const source = (args['config'] as string | undefined) ?? 'command line';
  if (isSetConfig(base)) {
    const flags = Object.keys(FIELD_OF_FLAG).filter((f) => f !== 'state-dir' && args[f] !== undefined);
    if (flags.length > 0) throw new UsageError(`${source} is a snapshot set (targets:): target flags ${flags.map((f) => `--${f}`).join(', ')} cannot change its members; edit the file instead`);
    const withDir = args['state-dir'] !== undefined ? { ...base, stateDir: args['state-dir'] } : base;
    return { kind: 'set', members: toTargets(withDir, source) };
  }
  for (const [flag, field] of Object.entries(FIELD_OF_FLAG)) if (args[flag] !== undefined) base[field] = args[flag];
  return { kind: 'one', target: toTarget(base, source) };
}

/** The target from --config and the target flags (flags win), for commands that take one target only. Reads only the config file. */
export async function targetFrom(args: ParsedArgs, host: HostPort, command = 'this command'): Promise<Target> {
  const s = await selectionFrom(args, host);
  if (s.kind === 'set') throw new UsageError(`${String(args['config'])} is a snapshot set (targets:), but ${command} takes one target: pass a config with one target, or --vg/--lv`);
  return s.target;
}

/** The JSON command log of -v / --log-file; undefined (and pino never loaded) without them. */
export async function makeLog(args: ParsedArgs): Promise<EngineDeps['log']> {
  const verbose = args['verbose'] === true;
  const file = args['log-file'] as string | undefined;
  if (!verbose && file === undefined) return undefined;
  const { default: pino } = await import('pino');
  const streams: { stream: NodeJS.WritableStream | ReturnType<typeof pino.destination> }[] = [];
  if (verbose) streams.push({ stream: process.stderr });
  if (file !== undefined) streams.push({ stream: pino.destination({ dest: file, sync: true, mkdir: true }) });
  const logger = pino({ base: null, level: 'info' }, pino.multistream(streams));
  return { command: (c) => logger.info({ argv: c.argv, exitCode: c.exitCode, ms: c.ms, mutating: c.mutating, stderr: c.stderr.trim() || undefined }, 'command') };
}
