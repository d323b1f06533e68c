// Process entry: picks the host (real, or the simulator for the demo), wires signals, sets the exit code.
// Everything apply/plan/status need is bundled into this one file; the simulator, YAML, pino and the
// help layout are separate bundles loaded only when asked for (scripts/build.mjs).
import { RealHost } from '../host-real.js';
import type { HostPort } from '../port.js';
import { rehearse } from '../rehearse.js';
import { main } from './main.js';

declare const LVMSNAP_VERSION: string;
const version = typeof LVMSNAP_VERSION === 'string' ? LVMSNAP_VERSION : 'dev';

async function start(): Promise<number> {
  const argv = process.argv.slice(2);
  let stop = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stop) process.stderr.write(`lvmsnap: ${sig} received: finishing the running command, then stopping\n`);
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const simFile = process.env['LVMSNAP_SIMULATOR'];
  let host: HostPort = new RealHost();
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
  const code = await main(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    host,
    deps: { stopRequested: () => stop, rehearse },
    version,
  });
  await save?.();
  return code;
}

start().then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`lvmsnap: ${String(err?.stack ?? err)}\n`); process.exitCode = 1; },
);
