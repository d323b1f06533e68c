// The CLI: yargs definitions, and the one boundary that maps errors to exit codes.
import yargs, { type Argv } from 'yargs';
import { runApply, runStatus, type EngineDeps } from '../engine.js';
import { LockHeld, LvmsnapError, UsageError } from '../errors.js';
import type { HostPort } from '../port.js';
import { parseConfigText, toTarget } from '../target.js';
import type { DesiredState, Target } from '../types.js';
import { applyJson, renderApplyHuman, renderStatusHuman, statusJson } from './render.js';

export const EXIT = { ok: 0, failed: 1, changed: 2, refused: 3 } as const;

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly host: HostPort;
  readonly deps?: Partial<EngineDeps>;
  readonly version?: string;
}

const TARGET_FLAGS = {
  config: { type: 'string', describe: 'YAML or JSON file describing the target (flags below override it)' },
  vg: { type: 'string', describe: 'volume group of the origin LV' },
  lv: { type: 'string', describe: 'origin LV to snapshot' },
  snapshot: { type: 'string', describe: 'snapshot LV name [default: <lv>-lvmsnap]' },
  size: { type: 'string', describe: 'copy-on-write space: 512M, 4G or 25%ORIGIN [default: 20%ORIGIN]' },
  mountpoint: { type: 'string', describe: 'mount the snapshot read-only here (omit: not mounted)' },
  'mount-options': { type: 'string', describe: 'mount options for filesystems other than ext2/3/4 and xfs (ro is always added)' },
  'tmp-file': { type: 'string', describe: 'borrow the COW space from this file via a loop PV (for a full VG)' },
  'tmp-file-size': { type: 'string', describe: 'size of the tmp file [default: snapshot size plus PV metadata]' },
  'loop-device': { type: 'string', describe: 'loop device to use [default: the first free one]' },
  allocate: { choices: ['auto', 'fallocate', 'zero'], describe: 'how to allocate the tmp file (never sparse) [default: auto]' },
  'remove-mountpoint': { type: 'boolean', describe: 'with --state absent: also remove a mountpoint directory lvmsnap did not create' },
  'state-dir': { type: 'string', describe: 'where lvmsnap records what it created [default: /var/lib/lvmsnap]' },
  json: { type: 'boolean', default: false, describe: 'print one JSON object on stdout' },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'log every command (argv, exit code, stderr, duration) to stderr' },
  'log-file': { type: 'string', describe: 'also write the JSON log to this file' },
} as const;

type Args = Record<string, unknown>;

const FIELD_OF_FLAG: Readonly<Record<string, string>> = {
  vg: 'vg', lv: 'lv', snapshot: 'snapshot', size: 'size', mountpoint: 'mountpoint', 'mount-options': 'mountOptions',
  'tmp-file': 'tmpFile', 'tmp-file-size': 'tmpFileSize', 'loop-device': 'loopDevice', allocate: 'allocate',
  'remove-mountpoint': 'removeMountpoint', 'state-dir': 'stateDir',
};

async function targetFrom(args: Args, host: HostPort): Promise<Target> {
  let base: Record<string, unknown> = {};
  const config = args['config'] as string | undefined;
  if (config !== undefined) {
    const text = await host.readFile(config);
    if (text === null) throw new UsageError(`config file ${config} not found`);
    const parsed = parseConfigText(text, config);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`config ${config}: expected a mapping of fields`);
    base = parsed as Record<string, unknown>;
  } else if (args['vg'] === undefined || args['lv'] === undefined) {
    throw new UsageError('no target: pass --vg NAME --lv NAME (or --config FILE); see lvmsnap --help');
  }
  for (const [flag, field] of Object.entries(FIELD_OF_FLAG)) if (args[flag] !== undefined) base[field] = args[flag];
  return toTarget(base, config ?? 'command line');
}

async function makeLog(args: Args): Promise<EngineDeps['log']> {
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

const EPILOGUE =
  'Exit codes: 0 success; 1 failed while applying (the message says what is left); 2 changes made or planned\n' +
  '(only with --detailed-exitcode); 3 refused before any change (bad input, failed check, foreign object, lock held).\n' +
  'lvmsnap only ever removes what it created: LVs and PVs it tagged "lvmsnap", files it journaled.';

function withTarget<T>(y: Argv<T>) {
  return y.options(TARGET_FLAGS).group(Object.keys(TARGET_FLAGS).slice(0, 13), 'Target:').epilogue(EPILOGUE);
}

async function doApply(args: Args, io: CliIo, state: DesiredState, check: boolean, diff: boolean): Promise<number> {
  const target = await targetFrom(args, io.host);
  const log = await makeLog(args);
  const deps: EngineDeps = { host: io.host, ...(log ? { log } : {}), ...io.deps };
  const report = await runApply(target, { state, check, waitSeconds: Number(args['wait'] ?? 0) }, deps);
  io.stdout(args['json'] ? `${JSON.stringify(applyJson(report, target), null, 2)}\n` : renderApplyHuman(report, target, diff));
  // With --json, stdout is for scripts; a person watching still sees why nothing happened.
  if (args['json']) {
    for (const r of report.planned.plan.refusals) io.stderr(`lvmsnap: refused: ${r}\n`);
    if (report.error) io.stderr(`lvmsnap: ${report.error.message}\n`);
    if (report.rehearsal) io.stderr(`lvmsnap: the plan would fail: ${report.rehearsal}\n`);
  }
  if (report.planned.plan.refusals.length > 0 || report.rehearsal) return EXIT.refused;
  if (report.error) return EXIT.failed;
  return args['detailed-exitcode'] && report.changed ? EXIT.changed : EXIT.ok;
}

export function buildCli(argv: readonly string[], io: CliIo, setCode: (n: number) => void): Argv {
  return yargs([...argv])
    .scriptName('lvmsnap')
    .version(io.version ?? 'dev')
    .usage('$0 <command> TARGET [options]\n\nConsistent, idempotent LVM snapshots for backups: state what you want, lvmsnap makes it so.')
    .command('apply', 'make the snapshot present (mounted read-only) or absent (all of it gone)', (y) =>
      withTarget(y)
        .option('state', { choices: ['present', 'absent'] as const, demandOption: true, describe: 'desired state' })
        .option('check', { type: 'boolean', default: false, describe: 'plan and rehearse only; change nothing' })
        .option('diff', { type: 'boolean', default: false, describe: 'show every command each change runs' })
        .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'exit 2 when changes were made (or planned, with --check)' })
        .option('wait', { type: 'number', default: 0, describe: 'seconds to wait for another run on this snapshot to finish' })
        .example('$0 apply --state present --vg vg0 --lv root --mountpoint /mnt/snap', 'snapshot vg0/root and mount it read-only')
        .example('$0 apply --state present --vg vg0 --lv root --tmp-file /var/tmp/cow.img --size 2G', 'full VG: borrow 2G from a file')
        .example('$0 apply --state absent --vg vg0 --lv root --mountpoint /mnt/snap', 'unmount and remove everything lvmsnap made'),
      async (a) => setCode(await doApply(a, io, a.state, a.check, a.diff)))
    .command('plan', 'show what apply would change (same as apply --check --diff)', (y) =>
      withTarget(y)
        .option('state', { choices: ['present', 'absent'] as const, default: 'present' as const, describe: 'desired state' })
        .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'exit 2 when changes are planned' }),
      async (a) => setCode(await doApply(a, io, a.state, true, true)))
    .command('status', 'show the observed state of every resource', (y) => withTarget(y), async (a) => {
      const target = await targetFrom(a, io.host);
      const log = await makeLog(a);
      const r = await runStatus(target, { host: io.host, ...(log ? { log } : {}) });
      io.stdout(a.json ? `${JSON.stringify(statusJson(r, target), null, 2)}\n` : renderStatusHuman(r, target));
      setCode(EXIT.ok);
    })
    .demandCommand(1, 'name a command: apply, plan or status')
    .strict()
    .epilogue(EPILOGUE)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(`${msg}\nsee lvmsnap --help`);
    });
}

function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof LockHeld ? EXIT.refused : EXIT.failed;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  try {
    // The parse callback captures --help/--version text so it goes through io (and tests see it).
    let shown = '';
    await buildCli(argv, io, (n) => { code = n; }).parseAsync([...argv], {}, (_err, _args, output) => { shown = output; });
    if (shown) io.stdout(`${shown}\n`);
    return code;
  } catch (err) {
    const exit = exitCodeOf(err);
    const message = err instanceof LvmsnapError ? err.message : `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
    io.stderr(`lvmsnap: ${message}\n`);
    // Scripts that asked for JSON get JSON even when the run never got as far as a plan.
    if (argv.includes('--json')) io.stdout(`${JSON.stringify({ ok: false, changed: false, exitCode: exit, error: message, errorType: (err as Error)?.name ?? 'Error', resources: [], commands: [] }, null, 2)}\n`);
    return exit;
  }
}
