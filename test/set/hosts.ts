// Host wrappers for set tests: a command that fails on cue, and several simulated processes sharing one system.
import type { HostPort, RunOptions } from '../../src/port.js';
import { SimHost } from '../../src/sim/host.js';
import type { SimSystem } from '../../src/sim/state.js';

/** The k-th changing command fails (exit 5, not run), as a real lvcreate or mount can. */
export function failingHost(inner: SimHost, k: number): HostPort & { readonly failed: () => boolean } {
  let n = 0;
  return new Proxy(inner, {
    get(t, prop) {
      if (prop === 'failed') return () => n >= k;
      if (prop === 'run') {
        return async (argv: readonly string[], opts: RunOptions) => {
          if (opts.mutating && ++n === k) return { argv, exitCode: 5, stdout: '', stderr: `injected failure of ${argv[0]}`, ms: 0 };
          return t.run(argv, opts);
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
