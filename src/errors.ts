// Named errors. Each keeps what a user or a script needs to act on it; the CLI boundary (src/cli/main.ts)
// maps them to exit codes: UsageError/LockHeld -> 3, everything else -> 1. Pre-flight refusals are not
// errors: they are part of the plan (Plan.refusals), reported with exit 3 by the same boundary.

export class LvmsnapError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /**
   * The lazy bundles (scripts/build.mjs: backup, reboot) carry their own copies of these classes, so
   * instanceof matches by class name along the prototype chain: an error thrown in a bundle maps to the
   * same exit code at the boundary (src/cli/main.ts) as one thrown in the main file.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    let named = false;
    let ours = false;
    for (let p: unknown = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      const n = (p as { constructor?: { name?: string } }).constructor?.name;
      if (n === this.name) named = true;
      if (n === 'LvmsnapError') ours = true;
    }
    return named && ours;
  }
}

/** Bad input: the command line or config file is wrong. Nothing was changed. */
export class UsageError extends LvmsnapError {}

/** The host lacks what a command needs (systemd, an initramfs builder, lvmsnap on the search path).
 * A usage error for the exit code (3, nothing changed); the message says what to install or do. */
export class UnsupportedHost extends UsageError {}

/** Another lvmsnap run holds the lock for this snapshot. Nothing was changed. */
export class LockHeld extends LvmsnapError {
  constructor(readonly lockPath: string, readonly holder: string) {
    super(`another lvmsnap run holds ${lockPath} (${holder}); retry later or pass --wait SECONDS`);
  }
}

/** A command exited non-zero. */
export class CommandFailed extends LvmsnapError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    const detail = stderr.trim().split('\n').slice(-3).join(' | ');
    super(`command failed (exit ${exitCode}): ${argv.join(' ')}${detail ? `: ${detail}` : ''}`);
  }
}

/** Output of a command could not be understood. */
export class ParseError extends LvmsnapError {
  constructor(readonly command: string, detail: string, readonly excerpt = '') {
    super(`cannot parse output of ${command}: ${detail}${excerpt ? ` (near: ${excerpt.slice(0, 80)})` : ''}`);
  }
}

/** Apply stopped part-way (a failed command or a signal); says what state is left. */
export class ApplyFailed extends LvmsnapError {
  constructor(message: string, readonly stateLeft: string, options?: { cause?: unknown }) {
    super(`${message}\n${stateLeft}`, options);
  }
}

/** A backup (or backups command) refused before changing anything: exit 3, like bad input. */
export class BackupRefused extends UsageError {}

/** A backup failed part-way; says what was cleaned up and what is left. */
export class BackupFailed extends LvmsnapError {
  constructor(message: string, readonly stateLeft: string, options?: { cause?: unknown }) {
    super(`${message}\n${stateLeft}`, options);
  }
}
