// Wraps any HostPort to record and log every command: the --json "commands" list and the pino log.
import type { CommandResult, HostPort, LockResult, RunOptions } from './port.js';

export interface CommandRecord {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly ms: number;
  readonly mutating: boolean;
}

export interface CommandLog {
  command(rec: CommandRecord & { readonly stderr: string }): void;
}

export class RecordingHost implements HostPort {
  readonly commands: CommandRecord[] = [];
  constructor(private readonly inner: HostPort, private readonly log?: CommandLog) {}

  async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const r = await this.inner.run(argv, opts);
    const rec = { argv: [...argv], exitCode: r.exitCode, ms: r.ms, mutating: opts.mutating };
    this.commands.push(rec);
    this.log?.command({ ...rec, stderr: r.stderr });
    return r;
  }
  readFile(path: string): Promise<string | null> { return this.inner.readFile(path); }
  listDir(path: string): Promise<string[]> { return this.inner.listDir(path); }
  writeFile(path: string, data: string): Promise<void> { return this.inner.writeFile(path, data); }
  removeFile(path: string): Promise<void> { return this.inner.removeFile(path); }
  lock(path: string): Promise<LockResult> { return this.inner.lock(path); }
  unlock(path: string): Promise<void> { return this.inner.unlock(path); }
  uid(): number { return this.inner.uid(); }
}
