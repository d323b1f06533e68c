// The real host's early lvm shell and prefetched report (issue 10): bin/lvmsnap.cjs (dist/early.cjs) and
// the executable's main script (scripts/sea/main.cjs) load this small file BEFORE the CLI bundle and, for
// an apply (not --check), start lvm2's shell and ask it for the observation's report at once. lvm's start
// (program, libraries, configuration), its first-command set-up and the report then run while Node
// compiles the bundle, reads the arguments and takes the lock. Once the arguments are accepted the engine
// takes the shell (RealHost.prefetchedLvmShell). Part of the real host (src/host-real.ts adopts the
// shell), the only place besides it that spawns. Under the .deb's launcher (src/launcher/launch.c), which
// started lvm and asked the same question before Node even started, this adopts that lvm instead
// (LVMSNAP_LAUNCHED_LVM, src/launcher/adopt.ts) under the same rule.
//
// A report asked before the lock is used only if no lvmsnap run could have changed anything meanwhile:
//   - it is asked only while the lock directory is empty (or missing): no run holds any lock then;
//   - at the run's first lock attempt the directory is still the same (inode, mtime, ctime: any run that
//     took or released a lock since changed it) and that attempt takes the lock at once.
// Otherwise its answer is dropped and the report asked again, after the lock, in the same shell. A run
// that never takes the shell (bad input) ends its input: lvm exits after the report, which changes
// nothing (RealHost.unusedEarlyReports waits for it); a report that ran unused is still listed in --json.
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fullreportArgv } from './commands.js';
import { nowMs } from './clock.js';
import { adoptChild, isLaunchedChild } from './launcher/adopt.js';
import { LVM_SHELL_PROFILE, lvmShellEnv, lvmShellLine, readShellReport, shellExitCode } from './lvm-shell/protocol.js';
import type { CommandResult } from './port.js';

/** Same answers from every tool regardless of the user's locale; LVM never waits on a TTY. */
export const CHILD_ENV = { LC_ALL: 'C', LANG: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };
/** Where apply's locks are (engine.ts lockPath's default; a test pins the two together). */
export const PREFETCH_LOCK_DIR = '/run/lock/lvmsnap';

/**
 * Whether the launcher prefetches: apply or status of a target given by flags (not --config), not
 * --check, not asking for help or the version, on the real host (not the simulator), unless
 * LVMSNAP_PREFETCH=0 (to measure what it buys: bench/real-guest.sh). status takes no lock: it uses the
 * answer as it is (RealHost.prefetchedLvmShell's lockless).
 */
export function wantsPrefetch(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  if (argv[0] !== 'apply' && argv[0] !== 'status') return false;
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.some((a) => ['--help', '-h', '--version', '-V'].includes(a) || a === '--check' || a.startsWith('--check='))) return false;
  // A --config file may hold a snapshot set, whose engine forks each member's report: never adopted.
  if (flags.some((a) => a === '--config' || a.startsWith('--config='))) return false;
  return (env['LVMSNAP_SIMULATOR'] ?? '') === '' && env['LVMSNAP_PREFETCH'] !== '0';
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

/** The lock directory as a stamp: changes whenever a lock file is created or removed in it. */
function dirStamp(dir: string): string {
  try {
    const st = statSync(dir, { bigint: true });
    return `${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

/** An unreadable directory (not root) counts as holding a lock: the report then comes after the lock. */
function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** The early shell, not yet adopted. */
export interface Prefetch {
  readonly child: ChildProcess;
  /** The line sent before the lock (armPrefetch), whose answer is the first report object; null: none sent. */
  line: string | null;
  /** null until the first lock attempt; then whether the answer may be used. */
  valid: boolean | null;
  /** When the line was sent (nowMs). */
  askedAt: number;
  /** Set once lvm could not start or ended before it was adopted: it is then never adopted. */
  gone: boolean;
  readonly closed: Promise<void>;
}

interface Slot { prefetch?: Prefetch; armed?: Prefetch; dir?: string; stamp?: string; asked?: true; unused?: CommandResult[] }
const SLOT = Symbol.for('lvmsnap.prefetch');
const slot = (): Slot => ((globalThis as { [SLOT]?: Slot })[SLOT] ??= {});

/** Node keeps running while the child or its pipes are referenced: an unadopted shell must not hold it. */
function setRef(child: ChildProcess, on: boolean): void {
  for (const s of [child, ...child.stdio]) {
    const h = s as { ref?: () => void; unref?: () => void } | null;
    if (on) h?.ref?.(); else h?.unref?.();
  }
}

/** Called by the launcher with the command line, then again by the bundle (a no-op the second time). */
export function startPrefetch(argv: readonly string[]): void {
  const s = slot();
  if (s.asked) return;
  s.asked = true;
  beginPrefetch(argv);
}

/** startPrefetch's work (once per process there); whether it started (or adopted) lvm. */
export function beginPrefetch(argv: readonly string[], lockDir = PREFETCH_LOCK_DIR): boolean {
  const s = slot();
  if (s.prefetch !== undefined) return false;
  // The .deb's launcher (src/launcher/launch.c) started lvm before Node did: adopt that one.
  const launched = takeLaunchedLvm(lockDir);
  if (launched !== null) {
    track(launched);
    return true;
  }
  if (!wantsPrefetch(argv, process.env) || !hasLvmShellProfile()) return false;
  const prefetch = newPrefetch(spawnLvmShell());
  track(prefetch);
  // Asked at once: lvm's first-command set-up and the report itself then run while Node compiles and
  // starts the bundle (asked only once the arguments were accepted, it won back lvm's start alone).
  armPrefetch(prefetch, lockDir);
  return true;
}

function newPrefetch(child: ChildProcess): Prefetch & { end: () => void } {
  let end!: () => void;
  const closed = new Promise<void>((r) => { end = r; });
  return { child, line: null, valid: null, askedAt: 0, gone: false, closed, end };
}

function track(prefetch: Prefetch & { end: () => void }): void {
  const { child } = prefetch;
  child.on('error', () => { prefetch.gone = true; prefetch.end(); });
  child.on('close', () => { prefetch.gone = true; prefetch.end(); });
  child.stdin!.on('error', () => { /* EPIPE once lvm is gone: the adopter sees it end */ });
  setRef(child, false);
  slot().prefetch = prefetch;
}

/**
 * The launcher's lvm, from LVMSNAP_LAUNCHED_LVM (removed from the environment: no child inherits it):
 * the shell as a child, and, if the launcher sent the report line, the line armed with the launcher's
 * stamp and time, exactly as armPrefetch arms its own. null when there is none or the value is not the
 * launcher's (its fds are then left alone).
 */
function takeLaunchedLvm(lockDir: string): (Prefetch & { end: () => void }) | null {
  const value = process.env['LVMSNAP_LAUNCHED_LVM'];
  delete process.env['LVMSNAP_LAUNCHED_LVM'];
  const m = value === undefined ? null : /^(\d+) (\d+) (\d+) (\d+) (\d+) ([01]) (\S+) (\d+)$/.exec(value);
  if (m === null) return null;
  const [pid, stdin, stdout, stderr, report] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  if (!isLaunchedChild(pid, [stdin, stdout, stderr, report])) return null; // a stray variable, not the launcher's
  let child: ChildProcess;
  try {
    child = adoptChild(pid, [stdin, stdout, stderr, report]);
  } catch {
    return null; // its fds are not open pipes here: the run starts its own shell
  }
  const prefetch = newPrefetch(child);
  if (m[6] === '1') arm(prefetch, lockDir, m[7]!, Number(BigInt(m[8]!)) / 1e6); // CLOCK_MONOTONIC ns, as nowMs
  else prefetch.valid = false;
  return prefetch;
}

/** The report line was sent (by this process or the launcher) at askedAt, with the lock directory at stamp. */
function arm(p: Prefetch, lockDir: string, stamp: string, askedAt: number): void {
  const s = slot();
  p.line = lvmShellLine(fullreportArgv())!;
  p.askedAt = askedAt;
  s.armed = p;
  s.dir = lockDir;
  s.stamp = stamp;
}

/**
 * The early shell is asked for the report now, before the lock, if lockDir holds no lock (stamped, to be
 * judged at the first lock attempt); else nothing is sent and the report comes after the lock as usual.
 */
function armPrefetch(p: Prefetch, lockDir: string): void {
  const stamp = dirStamp(lockDir);
  if (stamp !== 'missing' && !isEmptyDir(lockDir)) { p.valid = false; return; }
  arm(p, lockDir, stamp, nowMs());
  p.child.stdin!.write(`${p.line}\n`);
}

/**
 * RealHost.lock's first attempt, before it creates its lock file: whether the lock directory is as it
 * was when the report was asked. The attempt's outcome completes the verdict (settlePrefetch).
 */
export function prefetchStampHolds(lockPath: string): boolean {
  const s = slot();
  return s.armed !== undefined && s.armed.valid === null && dirname(lockPath) === s.dir && dirStamp(s.dir) === s.stamp;
}

/** The verdict, once, at the first lock attempt: usable only if the stamp held and the lock was taken at once. */
export function settlePrefetch(usable: boolean): void {
  const p = slot().armed;
  if (p !== undefined && p.valid === null) p.valid = usable;
}

/** The prefetch, taken out (at most once per process) and referenced again; null when there is none or
 *  its lvm is gone (then RealHost.unusedEarlyReports has nothing left to wait for either). */
export function takePrefetch(): Prefetch | null {
  const s = slot();
  const p = s.prefetch;
  if (p === undefined || p.gone) return null;
  delete s.prefetch;
  setRef(p.child, true);
  return p;
}

/**
 * The prefetched report as the command it was, for --json: its answer (null: lvm ended without one) and
 * its time from being asked to being answered.
 */
export function prefetchedReport(answer: string | null, ms: number): CommandResult {
  const retCode = answer === null ? null : readShellReport(answer).retCode;
  // As RealLvmShell.run: lvm gone without an answer 127, an object without a status 1, else lvm's status.
  const exitCode = answer === null ? 127 : retCode === null ? 1 : shellExitCode(retCode);
  return { argv: fullreportArgv(), exitCode, stdout: '', stderr: '', ms: Math.max(0, Math.round(ms)) };
}

/** A prefetched report that ran and was not used (the run stopped before asking for it). */
export function noteUnusedReport(r: CommandResult): void {
  (slot().unused ??= []).push(r);
}

/** The unused reports noted so far, handed out once. */
export function takeUnusedReports(): CommandResult[] {
  const s = slot();
  const out = s.unused ?? [];
  delete s.unused;
  return out;
}
