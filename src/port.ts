// The one port through which lvmsnap touches the host. The real implementation (src/host-real.ts) is
// the only module that spawns processes or imports node:fs; tests and the demo inject the simulator instead.
import type { PathType } from './types.js';

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Answered without a process (src/in-process/: mkdir, rmdir, rm of one path), as the tool would. */
  readonly inProcess?: true;
  /** The same report asked before the lock and not used (src/host-real-prefetch.ts): it ran, so it is listed. */
  readonly earlier?: CommandResult;
}

export interface RunOptions {
  /** True for commands that change the system; used for logging, --json and crash injection. */
  readonly mutating: boolean;
  /** Let the command draw its own progress on the terminal (stderr passes through on a TTY). */
  readonly progress?: boolean;
}

/** One child process of a pipeline; its stdout feeds the next stage's stdin. */
export interface PipeStage {
  readonly argv: readonly string[];
}
export type PipeInput = { readonly kind: 'none' } | { readonly kind: 'file'; readonly path: string };
/**
 * Where the last stage's stdout goes. newFile: created exclusively, mode 0600 (fails if it exists);
 * overwrite: an existing file or block device written from offset 0, not truncated; discard: /dev/null.
 * Nothing is synced here: a caller that needs the data durable runs `sync --data` (backup's commit plan).
 */
export type PipeOutput =
  | { readonly kind: 'newFile'; readonly path: string }
  | { readonly kind: 'overwrite'; readonly path: string }
  | { readonly kind: 'discard' };

export interface PipeProgress {
  /** Bytes the first stage has read so far (its input: the source files, the device or the archive). */
  readonly bytesIn: number;
  /** Bytes written to the output file so far (newFile only, else 0). */
  readonly bytesOut: number;
}

export interface PipeOptions {
  readonly mutating: boolean;
  /** Called about every 0.5 s while the pipeline runs. */
  readonly onProgress?: (p: PipeProgress) => void;
  /** Polled while the pipeline runs; true stops every stage (SIGTERM). */
  readonly stopRequested?: () => boolean;
}

export interface PipeResult {
  readonly stages: readonly { readonly argv: readonly string[]; readonly exitCode: number; readonly stderr: string }[];
  /** Output could not be opened (exists, no such directory, ...): no stage ran. */
  readonly openError: string | null;
  readonly bytesOut: number;
  readonly stopped: boolean;
  readonly ms: number;
}

/** What lstat(2) says about a path (a symlink is not followed: its type is 'other'). */
export interface FileStat {
  readonly type: PathType;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
}

/** One /sys/block/loopN directory: file path relative to it ("dev", "size", "loop/backing_file", ...)
 *  -> content as the kernel prints it. The loop/ files are there only while the device is bound. */
export interface SysfsLoop {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
}

/**
 * One `lvm` process running LVM commands one after another (lvm2's shell, src/lvm-shell/). Each run
 * answers for its own command: exit code (as a forked lvm would exit), its error lines as stderr, time.
 * Commands run strictly in order, one at a time; nothing is sent before the previous one answered.
 */
export interface LvmShell {
  /** argv must have a line (lvmShellLine(argv) !== null). Never throws for a failing command. */
  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult>;
  /** Ends the process (stdin closed) and waits for it. Idempotent. */
  close(): Promise<void>;
}

/** The inner host's lvm shell (or null), with `seen` called after each command it answers: how a host
 * wrapper counts or records shell commands exactly as it does forked ones. */
export function tapShell(shell: LvmShell | null, seen: (argv: readonly string[], opts: RunOptions, r: CommandResult) => void): LvmShell | null {
  if (shell === null) return null;
  return {
    run: async (argv, opts) => {
      const r = await shell.run(argv, opts);
      if (r.earlier !== undefined) seen(r.earlier.argv, opts, r.earlier);
      seen(argv, opts, r);
      return r;
    },
    close: () => shell.close(),
  };
}

export type LockResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: string };

export interface HostPort {
  /** Run argv (never a shell), stdin closed. Never throws for a non-zero exit: callers decide. The argv
   *  shapes of src/in-process/ may be answered without a process (result.inProcess). */
  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult>;
  /** Contents of a small state file, or null if it does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Atomically replace a small state file, creating its directory. */
  writeFile(path: string, data: string): Promise<void>;
  /** Names of the entries of a state directory (files and subdirectories), sorted; [] when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Remove a small state file if it exists. */
  removeFile(path: string): Promise<void>;
  /** Take an exclusive lock at path (stale locks of dead processes are taken over). */
  lock(path: string): Promise<LockResult>;
  unlock(path: string): Promise<void>;
  /**
   * Run stages as one pipeline (never a shell): input -> stage 1 -> ... -> stage n -> output. The data go
   * from process to process through kernel pipes and file descriptors, never through this process.
   * Never throws for a failing stage: callers look at each stage's exit code.
   */
  pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult>;

  // ---- observation without processes: what the kernel already exposes (src/observe.ts) ----
  /** Contents of /proc/self/mountinfo. */
  readMountinfo(): Promise<string>;
  /** Every /sys/block/loopN: dev, size and, when bound, the files of its loop/ directory. */
  readLoopSysfs(): Promise<SysfsLoop[]>;
  /** lstat(2) of a path; null when it does not exist (ENOENT, ENOTDIR). */
  lstat(path: string): Promise<FileStat | null>;
  /** The path with every symlink followed, like `readlink -f` (udev's /dev/disk/by-id/X -> /dev/sdb): the
   *  path itself when it is no symlink; for a dangling link, the missing path it ends at; null when the
   *  path itself does not exist. */
  realpath(path: string): Promise<string | null>;
  /** Bytes available to unprivileged users on the filesystem holding path (statfs f_bavail × f_bsize,
   *  as df's Avail); null when the path does not exist. */
  statfsAvail(path: string): Promise<number | null>;

  /**
   * A fresh lvm shell for consecutive LVM commands, or null where there is none (lvm2's lvmdbusd profile
   * missing): callers then run each command on its own. Optional: a host without it forks every command.
   */
  lvmShell?(): LvmShell | null;
  /**
   * The lvm shell this process started before it read its arguments, with the observation's report
   * already asked (the real host's prefetch for an apply: lvm's start and report then overlap Node's),
   * handed out once; its first run() of that same report returns the prefetched answer if the host can
   * vouch for it (nothing took a lock since), else asks again. null when there is none. Optional.
   * lockless: the run takes no lock (status): a report already asked is used as it is, a moment earlier
   * than one asked now.
   */
  prefetchedLvmShell?(lockless?: boolean): LvmShell | null;
  /**
   * Reports that shell answered and the run never used (it stopped before asking: bad input, a lock held),
   * once, for --json; ends that shell first (waiting for it) if the run never took it. Optional.
   */
  unusedEarlyReports?(): Promise<readonly CommandResult[]>;

  /** Effective uid of this process. */
  uid(): number;
}
