// A stand-in engine for the launcher's tests (test/launcher/launch.test.ts), run by the launcher as
// `lvmsnap-engine`: it adopts the launcher's lvm as the real engine does (beginPrefetch), then, by
// ENGINE_MODE, takes the lock and asks for the report (the run's path), or only ends lvm's input and
// reports how lvm exited. Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fullreportArgv } from '../../src/commands.js';
import { beginPrefetch, takePrefetch } from '../../src/host-real-prefetch.js';
import { RealHost } from '../../src/host-real.js';
import { RecordingHost } from '../../src/recording-host.js';

const lockDir = process.env['ENGINE_LOCK_DIR']!;
const launched = process.env['LVMSNAP_LAUNCHED_LVM'] !== undefined;
// Whether the launcher sent the report line (its sixth field).
const sent = process.env['LVMSNAP_LAUNCHED_LVM']?.split(' ')[5] ?? null;
// The launcher's fds (lvm's pipes): after the adoption, each is closed or close-on-exec (no child inherits it).
const launchedFds = (process.env['LVMSNAP_LAUNCHED_LVM'] ?? '').split(' ').slice(1, 5).map(Number);
const inheritable = (): number[] => launchedFds.filter((fd) => {
  try {
    return (parseInt(/flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8) & 0o2000000) === 0;
  } catch {
    return false; // closed
  }
});
const inheritableBefore = inheritable();
const adopted = beginPrefetch(process.argv.slice(2), lockDir);
const out: Record<string, unknown> = { launched, sent, adopted, envLeft: process.env['LVMSNAP_LAUNCHED_LVM'] ?? null, launchedFds, inheritableBefore, inheritableAfter: inheritable() };

if (process.env['ENGINE_MODE'] === 'exit') {
  const p = takePrefetch()!;
  for (const s of p.child.stdio.slice(1)) (s as NodeJS.ReadableStream).resume();
  p.child.stdin!.end();
  out['exit'] = await new Promise((res) => p.child.on('close', (code, signal) => res({ code, signal })));
} else {
  const host = new RecordingHost(new RealHost());
  const shell = host.prefetchedLvmShell();
  if (process.env['ENGINE_BETWEEN'] === 'touch') spawnSync('sh', ['-c', `touch '${lockDir}/x' && rm '${lockDir}/x'`]);
  const lock = join(lockDir, 'vg0-root-lvmsnap.lock');
  out['locked'] = (await host.lock(lock)).acquired;
  const r = await (shell ?? host).run(fullreportArgv(), { mutating: false });
  await shell?.close();
  await host.unlock(lock);
  out['n'] = r.exitCode === 0 ? (JSON.parse(r.stdout) as { report: { n: string }[] }).report[0]!.n : null;
  out['listed'] = host.commands.map((c) => `${c.argv[1]} => ${c.exitCode}`);
}
await new RealHost().unusedEarlyReports();
console.log(JSON.stringify(out));
