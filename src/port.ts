// The one port through which lvmsnap touches the host. The real implementation (src/host-real.ts) is
// the only module that imports execa or node:fs; tests and the demo inject the simulator instead.

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

export type LockResult = { readonly acquired: true } | { readonly acquired: false; readonly holder: string };

export interface HostPort {
  /** Run argv (never a shell), stdin closed. Never throws for a non-zero exit: callers decide. */
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
  /** Effective uid of this process. */
  uid(): number;
}
