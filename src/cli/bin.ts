// Process entry: picks the host (real, or the simulator for the demo), wires signals, sets the exit code.
// Everything apply/plan/status need is bundled into this one file; the simulator, YAML, pino and the
// help layout are separate bundles loaded only when asked for (scripts/build.mjs).
import { RealHost } from '../host-real.js';
import { startPrefetch } from '../host-real-prefetch.js';
import type { HostPort } from '../port.js';
import { rehearse } from '../rehearse.js';
import { main } from './main.js';

declare const LVMSNAP_VERSION: string;
const version = typeof LVMSNAP_VERSION === 'string' ? LVMSNAP_VERSION : 'dev';

async function start(): Promise<number> {
  const argv = process.argv.slice(2);
  // Started already by bin/lvmsnap.cjs or the executable's main script before this bundle was loaded;
  // here for the other entries (dist/lvmsnap.mjs, the one-file bundle): a no-op the second time.
  startPrefetch(argv);
  let stop = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stop) process.stderr.write(`lvmsnap: ${sig} received: finishing the running command, then stopping\n`);
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const simFile = process.env['LVMSNAP_SIMULATOR'];
  const real = new RealHost();
  let host: HostPort = real;
  let save: (() => Promise<void>) | undefined;
  if (simFile) {
    const sim = await import('../sim/lazy.js');
    const loaded = await sim.loadSimHost(simFile);
    host = loaded.host;
    save = loaded.save;
  }
  const killAfter = Number(process.env['LVMSNAP_TEST_KILL_AFTER'] ?? 0);
  if (killAfter > 0) {
    const { KillSwitchHost } = await import('../kill-switch.js');
    host = new KillSwitchHost(host, killAfter);
  }
  try {
    const code = await main(argv, {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
      host,
      deps: { stopRequested: () => stop, rehearse },
      version,
    });
    await save?.();
    return code;
  } finally {
    // An early lvm shell the run never took (src/host-real-prefetch.ts) ends before lvmsnap does.
    await real.unusedEarlyReports();
  }
}

start().then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`lvmsnap: ${String(err?.stack ?? err)}\n`); process.exitCode = 1; },
);
