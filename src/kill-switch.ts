// Test hook for the real-LVM tier: LVMSNAP_TEST_KILL_AFTER=k sends this process SIGKILL right after its
// k-th mutating operation (a changing command, or a journal write/remove), exactly as the simulator's
// crash injection counts them. Not for production use; without the variable it is never installed.
import { ForwardingHost } from './forwarding-host.js';
import { tapShell, type CommandResult, type HostPort, type LvmShell, type PipeInput, type PipeOptions, type PipeOutput, type PipeResult, type PipeStage, type RunOptions } from './port.js';

export class KillSwitchHost extends ForwardingHost {
  private done = 0;
  constructor(inner: HostPort, private readonly after: number) {
    super(inner);
  }

  private tick(): void {
    this.done += 1;
    if (this.done >= this.after) process.kill(process.pid, 'SIGKILL');
  }
  override async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const r = await this.inner.run(argv, opts);
    if (opts.mutating) this.tick();
    return r;
  }
  /** Counts each command of an lvm shell, so the k-th mutating operation is the same with or without it. */
  override lvmShell(): LvmShell | null {
    return tapShell(this.inner.lvmShell?.() ?? null, (_argv, opts) => {
      if (opts.mutating) this.tick();
    });
  }
  override prefetchedLvmShell(lockless?: boolean): LvmShell | null {
    return tapShell(this.inner.prefetchedLvmShell?.(lockless) ?? null, (_argv, opts) => {
      if (opts.mutating) this.tick();
    });
  }
  override async pipe(stages: readonly PipeStage[], input: PipeInput, output: PipeOutput, opts: PipeOptions): Promise<PipeResult> {
    const r = await this.inner.pipe(stages, input, output, opts);
    if (opts.mutating) this.tick();
    return r;
  }
  override async writeFile(path: string, data: string): Promise<void> { await this.inner.writeFile(path, data); this.tick(); }
  override async removeFile(path: string): Promise<void> { await this.inner.removeFile(path); this.tick(); }
}
