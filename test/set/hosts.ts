// Host wrappers for set tests: a command that fails on cue, and several simulated processes sharing one system.
import type { CommandResult, HostPort, LvmShell, RunOptions } from '../../src/port.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';

/** The k-th changing command fails (exit 5, not run), as a real lvcreate or mount can, forked or inside an lvm shell. */
export function failingHost(inner: SimHost, k: number): HostPort & { readonly failed: () => boolean } {
  let n = 0;
  const failing = (run: (argv: readonly string[], opts: RunOptions) => Promise<CommandResult>) =>
    async (argv: readonly string[], opts: RunOptions): Promise<CommandResult> => {
      if (opts.mutating && ++n === k) return { argv, exitCode: 5, stdout: '', stderr: `injected failure of ${argv[0]}`, ms: 0 };
      return run(argv, opts);
    };
  return new Proxy(inner, {
    get(t, prop) {
      if (prop === 'failed') return () => n >= k;
      if (prop === 'run') return failing((argv, opts) => t.run(argv, opts));
      if (prop === 'lvmShell') {
        return (): LvmShell => {
          const shell = t.lvmShell();
          return { run: failing((argv, opts) => shell.run(argv, opts)), close: () => shell.close() };
        };
      }
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  }) as unknown as HostPort & { readonly failed: () => boolean };
}

/** Simulated processes (own pid, own locks) over ONE system; yields a random number of turns between calls so runs interleave. */
export class SharedSystem {
  /** Each call runs alone on the system (as the kernel serializes them); only the order between calls is random. */
  private queue: Promise<unknown> = Promise.resolve();
  constructor(public system: SimSystem, private readonly rand: () => number = Math.random) {}

  process(): HostPort {
    const host = new SimHost(this.system);
    return new Proxy(host, {
      get: (t, prop) => {
        const v = Reflect.get(t, prop, t) as unknown;
        if (typeof v !== 'function' || prop === 'uid') return typeof v === 'function' ? (v as () => unknown).bind(t) : v;
        // An lvm shell's commands are calls on the system too: each one queued like any other call.
        if (prop === 'lvmShell') {
          return (): LvmShell => {
            const shell = t.lvmShell();
            const queued = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
              const call = this.queue.then(async () => {
                t.system = this.system;
                try {
                  return await f(...a);
                } finally {
                  this.system = t.system;
                }
              });
              this.queue = call.catch(() => undefined);
              return call;
            };
            return { run: queued((argv: readonly string[], opts: RunOptions) => shell.run(argv, opts)), close: queued(() => shell.close()) };
          };
        }
        return async (...args: unknown[]) => {
          for (let i = Math.floor(this.rand() * 3); i > 0; i--) await new Promise((r) => setImmediate(r));
          const call = this.queue.then(async () => {
            t.system = this.system;
            try {
              return await (v as (...a: unknown[]) => Promise<unknown>).apply(t, args);
            } finally {
              this.system = t.system;
            }
          });
          this.queue = call.catch(() => undefined);
          return call;
        };
      },
    }) as unknown as HostPort;
  }
}
