// Test hook for the real-LVM tier: LVMSNAP_TEST_KILL_AFTER=k sends this process SIGKILL right after its
// k-th mutating operation (a changing command, or a journal write/remove), exactly as the simulator's
// crash injection counts them. Not for production use; without the variable it is never installed.
import { tapShell, type CommandResult, type FileStat, type HostPort, type LockResult, type LvmShell, type PipeInput, type PipeOptions, type PipeOutput, type PipeResult, type PipeStage, type RunOptions, type SysfsLoop } from './port.js';

export class KillSwitchHost implements HostPort {
  private done = 0;
  constructor(private readonly inner: HostPort, private readonly after: number) {}

  private tick(): void {
    this.done += 1;
    if (this.done >= this.after) process.kill(process.pid, 'SIGKILL');
  }
  async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const r = await this.inner.run(argv, opts);
    if (opts.mutating) this.tick();
    return r;
  }
  /** Counts each command of an lvm shell, so the k-th mutating operation is the same with or without it. */
  lvmShell(): LvmShell | null {
    return tapShell(this.inner.lvmShell?.() ?? null, (_argv, opts) => {
      if (opts.mutating) this.tick();
    });
  }
  unusedEarlyReports(): Promise<readonly CommandResult[]> {
    return this.inner.unusedEarlyReports?.() ?? Promise.resolve([]);
  }
  prefetchedLvmShell(): LvmShell | null {
    return tapShell(this.inner.prefetchedLvmShell?.() ?? null, (_argv, opts) => {
      if (opts.mutating) this.tick();
    });
  }
  async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const r = await this.inner.pipe(stages, input, output, opts);
    if (opts.mutating) this.tick();
    return r;
  }
  async writeFile(path: string, data: string): Promise<void> { await this.inner.writeFile(path, data); this.tick(); }
  async removeFile(path: string): Promise<void> { await this.inner.removeFile(path); this.tick(); }
  listDir(path: string): Promise<string[]> { return this.inner.listDir(path); }
  readFile(path: string): Promise<string | null> { return this.inner.readFile(path); }
  lock(path: string): Promise<LockResult> { return this.inner.lock(path); }
  unlock(path: string): Promise<void> { return this.inner.unlock(path); }
  readMountinfo(): Promise<string> { return this.inner.readMountinfo(); }
  readLoopSysfs(): Promise<SysfsLoop[]> { return this.inner.readLoopSysfs(); }
  lstat(path: string): Promise<FileStat | null> { return this.inner.lstat(path); }
  realpath(path: string): Promise<string | null> { return this.inner.realpath(path); }
  statfsAvail(path: string): Promise<number | null> { return this.inner.statfsAvail(path); }
  uid(): number { return this.inner.uid(); }
}
