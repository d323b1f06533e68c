// The CLI: dispatch of argv to the registry's commands, and the one boundary that maps errors to exit codes.
import { normaliseCompatArgv, type CompatCommand } from '../compat/argv.js';
import { LockHeld, LvmsnapError, UsageError } from '../errors.js';
import { commandRecord } from '../recording-host.js';
import { parseInvocation } from './argv.js';
import { EXIT } from './exit.js';
import { GLOBAL_FLAGS, PROGRAM, REGISTRY } from './registry.js';
import { allFlags, type CliIo } from './spec.js';

export { EXIT } from './exit.js';
export type { CliIo } from './spec.js';

function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof LockHeld ? EXIT.refused : EXIT.failed;
}

/** The drop-in commands, as the argv normaliser needs them (from the same specs as the parser). */
const COMPAT: readonly CompatCommand[] = REGISTRY.filter((c) => c.dropIn !== undefined).map((c) => ({
  name: c.name,
  valued: allFlags(c).filter((f) => f.type !== 'boolean').map((f) => f.name),
  switches: allFlags(c).filter((f) => f.type === 'boolean').flatMap((f) => (f.alias ? [f.name, f.alias] : [f.name])),
}));

const helpWidth = (): number => Math.max(60, Math.min(110, process.stdout.columns ?? 100));

/** Runs the CLI and returns the exit code; never throws. */
export async function main(rawArgv: readonly string[], io: CliIo): Promise<number> {
  const argv = normaliseCompatArgv(rawArgv, COMPAT);
  try {
    const inv = parseInvocation(argv, REGISTRY);
    switch (inv.kind) {
      case 'version':
        io.stdout(`${io.version ?? 'dev'}\n`);
        return EXIT.ok;
      case 'help': {
        // The help layout is a separate chunk: runs that do not ask for help never load it.
        const help = await import('./help.js');
        io.stdout(inv.command ? help.commandHelp(inv.command, GLOBAL_FLAGS, helpWidth()) : help.programHelp(PROGRAM, REGISTRY, GLOBAL_FLAGS, helpWidth(), inv.prefix));
        return EXIT.ok;
      }
      case 'run':
        return await inv.command.run(inv.args, io);
    }
  } catch (err) {
    const exit = exitCodeOf(err);
    const message = err instanceof LvmsnapError ? err.message : `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
    io.stderr(`lvmsnap: ${message}\n`);
    // Scripts that asked for JSON get JSON even when the run never got as far as a plan; its commands are
    // the report an apply's early lvm shell answered unused (src/host-real-prefetch.ts), if any.
    if (argv.includes('--json')) {
      const early = (await io.host.unusedEarlyReports?.()) ?? [];
      const commands = early.map((r) => commandRecord(r.argv, { mutating: false }, r));
      io.stdout(`${JSON.stringify({ ok: false, changed: false, exitCode: exit, error: message, errorType: (err as Error)?.name ?? 'Error', resources: [], commands }, null, 2)}\n`);
    }
    return exit;
  }
}
