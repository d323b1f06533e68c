// The shipped systemd units, checked offline with `systemd-analyze verify --root` against this
// machine's own unit set (so After=/Before= names resolve), plus the properties the shutdown guard
// depends on (see /work/shared/notes/reboot-and-systemd.md), and the molly-guard run.d script.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const PKG = new URL('../../packaging/', import.meta.url).pathname;
const GUARD = readFileSync(join(PKG, 'systemd/lvmsnap-guard@.service'), 'utf8');
const RECOVER = readFileSync(join(PKG, 'systemd/lvmsnap-recover.service'), 'utf8');

/** Values of KEY in SECTION, in order (repeated keys accumulate, as systemd's list settings do). */
function values(unit: string, section: string, key: string): string[] {
  let current = '';
  const out: string[] = [];
  for (const line of unit.split('\n')) {
    const s = /^\[(.+)\]$/.exec(line);
    if (s) current = s[1]!;
    else if (current === section && line.startsWith(`${key}=`)) out.push(line.slice(key.length + 1));
  }
  return out;
}
const words = (unit: string, section: string, key: string) => values(unit, section, key).flatMap((v) => v.split(/\s+/));

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('systemd units', () => {
  it('pass systemd-analyze verify (no warning at all)', () => {
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    expect(analyze.error, 'systemd-analyze is needed to verify the shipped units (apt-get install systemd)').toBeUndefined();
    const root = mkdtempSync(join(tmpdir(), 'lvmsnap-units-'));
    roots.push(root);
    for (const dir of ['/lib/systemd/system', '/usr/lib/systemd/system']) {
      if (existsSync(dir)) cpSync(dir, join(root, dir), { recursive: true, dereference: false, verbatimSymlinks: true });
    }
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    for (const u of ['lvmsnap-guard@.service', 'lvmsnap-recover.service']) cpSync(join(PKG, 'systemd', u), join(root, 'etc/systemd/system', u));
    // ExecStop=/ExecStart= name `lvmsnap` through systemd's search path: give the root one, and /bin/true.
    mkdirSync(join(root, 'usr/local/sbin'), { recursive: true });
    writeFileSync(join(root, 'usr/local/sbin/lvmsnap'), '#!/bin/sh\n');
    chmodSync(join(root, 'usr/local/sbin/lvmsnap'), 0o755);
    mkdirSync(join(root, 'bin'), { recursive: true });
    cpSync('/bin/true', join(root, 'bin/true'));
    const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', 'lvmsnap-recover.service', 'lvmsnap-guard@var-tmp.service'], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('the verify check catches a unit whose command is missing', () => {
    const root = roots[0]!;
    rmSync(join(root, 'usr/local/sbin/lvmsnap'));
    const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', 'lvmsnap-guard@var-tmp.service'], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('Command lvmsnap is not executable');
  });

  it('guard: oneshot that stays active, teardown on stop, ordered so it stops before the tmp file system and LVM', () => {
    expect(values(GUARD, 'Service', 'Type')).toEqual(['oneshot']);
    expect(values(GUARD, 'Service', 'RemainAfterExit')).toEqual(['yes']);
    expect(values(GUARD, 'Service', 'ExecStop')).toEqual(['lvmsnap recover']);
    expect(words(GUARD, 'Unit', 'RequiresMountsFor')).toEqual(['%f', '/var/lib/lvmsnap']);
    expect(words(GUARD, 'Unit', 'After').sort()).toEqual(
      ['blk-availability.service', 'dm-event.service', 'dm-event.socket', 'local-fs.target', 'lvm2-monitor.service', 'systemd-journal-flush.service'].sort(),
    );
    expect(values(GUARD, 'Unit', 'DefaultDependencies')).toEqual([]); // kept: Conflicts/Before shutdown.target
    expect(Number(values(GUARD, 'Service', 'TimeoutStopSec')[0])).toBeGreaterThan(90);
    expect(values(GUARD, 'Service', 'StandardOutput')).toEqual(['journal']);
  });

  it('boot unit: early, before local file systems, wanted by sysinit.target', () => {
    expect(values(RECOVER, 'Unit', 'DefaultDependencies')).toEqual(['no']);
    expect(words(RECOVER, 'Unit', 'Before')).toContain('local-fs-pre.target');
    expect(words(RECOVER, 'Unit', 'Wants')).toContain('local-fs-pre.target');
    expect(words(RECOVER, 'Unit', 'Conflicts')).toContain('shutdown.target');
    expect(words(RECOVER, 'Unit', 'After')).toEqual(['systemd-udev-trigger.service', 'lvm2-monitor.service']);
    expect(values(RECOVER, 'Service', 'ExecStart')).toEqual(['lvmsnap recover']);
    expect(values(RECOVER, 'Install', 'WantedBy')).toEqual(['sysinit.target']);
  });

  it('comments are on their own lines (a trailing # would become part of a value)', () => {
    for (const unit of [GUARD, RECOVER]) {
      for (const line of unit.split('\n')) if (/^\w+=/.test(line)) expect(line).not.toContain('#');
    }
  });
});

describe('molly-guard run.d script', () => {
  const SCRIPT = join(PKG, 'molly-guard/run.d/30-lvmsnap');
  function run(rc: number | null) {
    const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-molly-'));
    roots.push(dir);
    if (rc !== null) {
      writeFileSync(join(dir, 'lvmsnap'), `#!/bin/sh\necho "$*" >'${dir}/args'\necho "hazard list"\nexit ${rc}\n`);
      chmodSync(join(dir, 'lvmsnap'), 0o755);
    }
    const r = spawnSync('/bin/sh', [SCRIPT], { env: { PATH: `${dir}:/usr/bin:/bin`, MOLLYGUARD_CMD: 'poweroff' }, encoding: 'utf8' });
    return { rc: r.status, out: r.stdout + r.stderr, args: existsSync(join(dir, 'args')) ? readFileSync(join(dir, 'args'), 'utf8').trim() : null };
  }
  it('lets the command go on when nothing blocks (exit 0 of check reboot)', () => {
    const r = run(0);
    expect(r).toMatchObject({ rc: 0, args: 'check reboot' });
  });
  it('aborts it when something blocks, saying how to proceed', () => {
    const r = run(1);
    expect(r.rc).toBe(1);
    expect(r.out).toContain('hazard list');
    expect(r.out).toContain('poweroff aborted');
    expect(r.out).toContain('/lib/molly-guard/poweroff');
  });
  it('aborts it when lvmsnap could not check (exit 3)', () => {
    const r = run(3);
    expect(r.rc).toBe(1);
    expect(r.out).toContain('could not check (exit 3)');
  });
  it('does not get in the way when lvmsnap is not installed', () => {
    const r = run(null);
    expect(r.rc).toBe(0);
    expect(r.out).toContain('lvmsnap not found');
  });
});
