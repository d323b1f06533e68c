// A HostPort that hands every call to another one: the base of the host wrappers (RecordingHost records
// the commands, KillSwitchHost kills the process after its k-th change), which override only what they
// watch. A new HostPort method is forwarded here once, not in each wrapper.
import type {
  CommandResult, FileStat, HostPort, LockResult, LvmShell, PipeInput, PipeOptions, PipeOutput, PipeResult, PipeStage, RunOptions, SysfsLoop,
} from './port.js';

export class ForwardingHost implements HostPort {
  constructor(protected readonly inner: HostPort) {}

  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> { return this.inner.run(argv, opts); }
  pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    return this.inner.pipe(stages, input, output, opts);
  }
  readFile(path: string): Promise<string | null> { return this.inner.readFile(path); }
  listDir(path: string): Promise<string[]> { return this.inner.listDir(path); }
  writeFile(path: string, data: string): Promise<void> { return this.inner.writeFile(path, data); }
  removeFile(path: string): Promise<void> { return this.inner.removeFile(path); }
  lock(path: string): Promise<LockResult> { return this.inner.lock(path); }
  unlock(path: string): Promise<void> { return this.inner.unlock(path); }
  // Kernel reads are not commands: they cost no process and are neither listed nor counted.
  readMountinfo(): Promise<string> { return this.inner.readMountinfo(); }
  readLoopSysfs(): Promise<SysfsLoop[]> { return this.inner.readLoopSysfs(); }
  lstat(path: string): Promise<FileStat | null> { return this.inner.lstat(path); }
  realpath(path: string): Promise<string | null> { return this.inner.realpath(path); }
  statfsAvail(path: string): Promise<number | null> { return this.inner.statfsAvail(path); }
  lvmShell(): LvmShell | null { return this.inner.lvmShell?.() ?? null; }
  prefetchedLvmShell(lockless?: boolean): LvmShell | null { return this.inner.prefetchedLvmShell?.(lockless) ?? null; }
  unusedEarlyReports(): Promise<readonly CommandResult[]> { return this.inner.unusedEarlyReports?.() ?? Promise.resolve([]); }
  uid(): number { return this.inner.uid(); }
}
