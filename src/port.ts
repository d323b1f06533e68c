// The one port through which lvmsnap touches the host. The real implementation (src/host-real.ts) is
// the only module that spawns processes or imports node:fs; tests and the demo inject the simulator instead.
import type { PathType } from './types.js';

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  /** True for commands that change the system; used for logging, --json and crash injection. */
  readonly mutating: boolean;
  /** Let the command draw its own progress on the terminal (stderr passes through on a TTY). */
  readonly progress?: boolean;
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

export type LockResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: string };

export interface HostPort {
  /** Run argv (never a shell), stdin closed. Never throws for a non-zero exit: callers decide. */
  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult>;
  /** Contents of a small state file, or null if it does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Atomically replace a small state file, creating its directory. */
  writeFile(path: string, data: string): Promise<void>;
  /** Remove a small state file if it exists. */
  removeFile(path: string): Promise<void>;
  /** Take an exclusive lock at path (stale locks of dead processes are taken over). */
  lock(path: string): Promise<LockResult>;
  unlock(path: string): Promise<void>;
  // ---- observation without processes: what the kernel already exposes (src/observe.ts) ----
  /** Contents of /proc/self/mountinfo. */
  readMountinfo(): Promise<string>;
  /** Every /sys/block/loopN: dev, size and, when bound, the files of its loop/ directory. */
  readLoopSysfs(): Promise<SysfsLoop[]>;
  /** lstat(2) of a path; null when it does not exist (ENOENT, ENOTDIR). */
  lstat(path: string): Promise<FileStat | null>;
  /** Bytes available to unprivileged users on the filesystem holding path (statfs f_bavail × f_bsize,
   *  as df's Avail); null when the path does not exist. */
  statfsAvail(path: string): Promise<number | null>;
  /** Effective uid of this process. */
  uid(): number;
}
