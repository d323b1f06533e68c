// The real host's early start: bin/lvmsnap.cjs loads this small file (dist/early.cjs) BEFORE the CLI
// bundle, and for a command that will ask LVM anyway (apply, plan, status) it starts lvm2's shell right
// away, so lvm's own start (program load, libraries, configuration) runs while Node compiles the bundle
// (issue 10). No command is sent: the shell waits on its stdin until RealHost.earlyLvmShell() adopts it
// and the observation sends the report line, after the lock, exactly as without it. A run that never
// adopts it (bad input, --help, a refused lock) closes it (closeEarlyLvm): lvm reads end of input and
// exits having run nothing. Part of the real host (src/host-real.ts), the only place that spawns.
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { LVM_SHELL_PROFILE, lvmShellEnv } from './lvm-shell/protocol.js';

/** Same answers from every tool regardless of the user's locale; LVM never waits on a TTY. */
export const CHILD_ENV = { LC_ALL: 'C', LANG: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };

/** The commands whose every run that gets past its arguments asks LVM for its report. */
const EARLY_COMMANDS: ReadonlySet<string> = new Set(['apply', 'plan', 'status']);

/**
 * Whether the launcher starts an lvm shell before loading the CLI: apply, plan or status, not asking
 * for help or the version, on the real host (not the simulator). The simulator's model of the same
 * decision (test/real/differential.ts: SimHostOptions.earlyLvmShell) calls this too.
 */
export function wantsEarlyLvm(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  if (!EARLY_COMMANDS.has(argv[0] ?? '')) return false;
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V')) return false;
  return (env['LVMSNAP_SIMULATOR'] ?? '') === '';
}

/** Only where lvm2's lvmdbusd profile is installed (lvm refuses to start with a missing profile). */
export function hasLvmShellProfile(): boolean {
  const dir = process.env['LVM_SYSTEM_DIR'] ?? '/etc/lvm';
  try {
    return lstatSync(`${dir}/profile/${LVM_SHELL_PROFILE}.profile`).isFile();
  } catch {
    return false;
  }
}

/**
 * `lvm` without arguments: commands on stdin, the report on fd 3. Own process group: a Ctrl-C meant
 * for lvmsnap must not stop an LVM command half-way; if lvmsnap dies, lvm sees end of input and exits
 * after the command it is running.
 */
export function spawnLvmShell(): ChildProcess {
  return spawn('lvm', [], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...CHILD_ENV, ...lvmShellEnv() },
  });
}

/** A shell started early and not yet adopted. */
export interface EarlyLvm {
  readonly child: ChildProcess;
  /** Set once lvm could not start or ended: it is then never adopted. */
  gone: string | null;
  readonly closed: Promise<void>;
}

const SLOT = Symbol.for('lvmsnap.early-lvm');

/** Node keeps running while the child or its pipes are referenced: an unadopted shell must not hold it. */
function setRef(child: ChildProcess, on: boolean): void {
  for (const s of [child, ...child.stdio]) {
    const h = s as { ref?: () => void; unref?: () => void } | null;
    if (on) h?.ref?.(); else h?.unref?.();
  }
}

const STARTED = Symbol.for('lvmsnap.early-lvm-asked');
type Slot = { [SLOT]?: EarlyLvm; [STARTED]?: true };

/** Called by bin/lvmsnap.cjs with the command line, then again by the bundle (a no-op the second time):
 *  starts the shell when wantsEarlyLvm and lvm2 has its profile. */
export function startEarlyLvm(argv: readonly string[]): void {
  const slot = globalThis as Slot;
  if (slot[STARTED]) return;
  slot[STARTED] = true;
  if (!wantsEarlyLvm(argv, process.env) || !hasLvmShellProfile()) return;
  const child = spawnLvmShell();
  let closed!: () => void;
  const early: EarlyLvm = { child, gone: null, closed: new Promise((r) => { closed = r; }) };
  child.on('error', (e) => { early.gone ??= `cannot start lvm: ${e.message}`; closed(); });
  child.on('close', (code, signal) => { early.gone ??= `lvm ended (${signal ?? `exit ${code}`}) before answering`; closed(); });
  child.stdin!.on('error', () => { /* EPIPE once lvm is gone: reported by 'close' */ });
  setRef(child, false);
  slot[SLOT] = early;
}

/** The early shell, taken out of its slot (at most once per process): referenced again, so a command
 *  waiting on it keeps Node running. null when none was started or it is already gone. */
export function takeEarlyLvm(): EarlyLvm | null {
  const slot = globalThis as Slot;
  const early = slot[SLOT];
  if (early === undefined) return null;
  delete slot[SLOT];
  if (early.gone !== null) return null;
  setRef(early.child, true);
  return early;
}

/** End of the run: an early shell nobody adopted gets end of input and is waited for (it ran nothing). */
export async function closeEarlyLvm(): Promise<void> {
  const early = (globalThis as Slot)[SLOT];
  if (early === undefined) return;
  delete (globalThis as Slot)[SLOT];
  if (early.gone !== null) return;
  setRef(early.child, true);
  early.child.stdin!.end();
  await early.closed;
}
