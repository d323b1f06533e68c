// The real tier's command recorder (shim.c) on this machine's lvm2: each line lvmsnap sends into an lvm
// shell is logged as a command of its own, split as lvm splits it, with the exit status lvm reported.
// (The VM runs the same source; the differential relies on these records.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealHost } from '../../src/host-real.js';

const saved = { PATH: process.env['PATH'], LVMSNAP_SHIM_DIR: process.env['LVMSNAP_SHIM_DIR'], LVMSNAP_SHIM_LOG: process.env['LVMSNAP_SHIM_LOG'] };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
});

/** The log as [id, kind, text] records (US between words shown as |). */
const records = (log: string): [string, string, string][] =>
  log.split('\x1e').filter((r) => r !== '').map((r) => {
    const [kind, id, ...rest] = r.split('\t');
    return [id!, kind!, rest.join('\t').replaceAll('\x1f', '|')];
  });

describe('shim.c', () => {
  it('logs the lvm shell and each of its lines with the status lvm reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-shim-'));
    execFileSync('gcc', ['-O2', '-o', join(dir, 'lvmsnap-shim'), new URL('./shim.c', import.meta.url).pathname]);
    symlinkSync('lvmsnap-shim', join(dir, 'lvm'));
    Object.assign(process.env, { PATH: `${dir}:${saved.PATH ?? ''}`, LVMSNAP_SHIM_DIR: dir, LVMSNAP_SHIM_LOG: join(dir, 'log') });
    const shell = new RealHost().lvmShell();
    expect(shell, 'this machine needs lvm2 with /etc/lvm/profile/lvmdbusd.profile').not.toBeNull();
    expect((await shell!.run(['lvchange', '--help'], { mutating: false })).exitCode).toBe(0);
    const failed = await shell!.run(['lvremove', '--yes', 'lvmsnap no vg/x'], { mutating: true });
    expect(failed.exitCode).toBe(5);
    expect(failed.stderr).toMatch(/lvmsnap no vg/); // lvm's own errors still reach lvmsnap through the shim
    await shell!.close();

    const recs = records(readFileSync(join(dir, 'log'), 'utf8'));
    const pid = recs[0]![0];
    expect(recs).toEqual([
      [pid, 'S', 'lvm'],
      [`${pid}.0`, 'S', 'lvchange|--help'],
      [`${pid}.0`, 'E', '0'],
      [`${pid}.1`, 'S', 'lvremove|--yes|lvmsnap no vg/x'], // one word, as lvm split the quoted line
      [`${pid}.1`, 'E', '5'],
      [`${pid}.2`, 'S', 'lastlog'],
      [`${pid}.2`, 'E', '5'],
      [pid, 'E', '0'],
    ]);
  });
});
