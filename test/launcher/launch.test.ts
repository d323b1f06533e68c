// The launcher (src/launcher/launch.c, built by scripts/launcher.mjs with a private lock directory) and the
// engine's adoption of its lvm (src/launcher/adopt.ts, host-real-prefetch.ts): the launcher starts lvm for
// exactly the runs wantsPrefetch names, sends the report line only while the lock directory is empty, and
// the engine uses that answer under the same stamp rule as its own early shell; lvm's exit status and
// end of input reach the engine; no inherited fd of lvm's stays inheritable.
// The stand-in lvm (test/helpers/lvm-stand-in.ts) numbers its answers, so a test sees which report a run got.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullreportArgv } from '../../src/commands.js';
import { lvmShellLine } from '../../src/lvm-shell/protocol.js';
import { wantsPrefetch } from '../../src/host-real-prefetch.js';
import { lvmStandIn, STAND_IN_START } from '../helpers/lvm-stand-in.js';
// @ts-expect-error: a build script without type declarations
import { buildLauncher } from '../../scripts/launcher.mjs';

const root = new URL('../..', import.meta.url).pathname;
const T = ['--vg', 'vg0', '--lv', 'root', '--tmp-file', '/var/space/cow.img', '--mountpoint', '/media/snap', '--size', '32M'];
let dir = '';
let locks = '';
let log = '';
/** PATH with the stand-in lvm (the launcher and its engine are beside it) and LVM_SYSTEM_DIR. */
let standInEnv: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, log, env: standInEnv } = lvmStandIn('lvmsnap-launch-'));
  locks = join(dir, 'locks');
  mkdirSync(locks);
  // cc is part of the build (npm run package); a missing compiler fails here, loudly.
  await buildLauncher(join(dir, 'lvmsnap'), { lockDir: locks });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The launcher with an engine beside it: ENGINE 'echo' prints what it was given, 'node' is test/launcher/engine.ts. */
function writeEngine(engine: 'echo' | 'node'): void {
  writeFileSync(join(dir, 'lvmsnap-engine'), engine === 'echo'
    ? '#!/bin/sh\necho "launched=${LVMSNAP_LAUNCHED_LVM:-none}"\nfor a in "$@"; do echo "arg=$a"; done\n'
    : `#!/bin/sh\nexec '${process.execPath}' --import tsx '${join(root, 'test/launcher/engine.ts')}' "$@"\n`);
  chmodSync(join(dir, 'lvmsnap-engine'), 0o755);
}

function launch(engine: 'echo' | 'node', argv: readonly string[], env: Record<string, string> = {}) {
  writeEngine(engine);
  writeFileSync(log, '');
  const r = spawnSync(join(dir, 'lvmsnap'), argv, {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, ...standInEnv, ENGINE_LOCK_DIR: locks, LVMSNAP_PREFETCH: '', LVMSNAP_SIMULATOR: '', ...env },
    timeout: 60_000,
  });
  return { ...r, lines: () => readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('line ')).map((l) => l.slice(5)) };
}

const waitForEnd = async (): Promise<string> => {
  for (let i = 0; i < 100 && !readFileSync(log, 'utf8').includes('end'); i++) await new Promise((r) => setTimeout(r, 50));
  return readFileSync(log, 'utf8');
};

describe('the launcher', () => {
  it('starts lvm for exactly the runs wantsPrefetch names, and passes the arguments on unchanged', async () => {
    const cases: [string[], Record<string, string>][] = [
      [['apply', '--state', 'absent', ...T], {}], [['apply', '--vg', 'vg0', '--', '-h'], {}], [['apply', '--help'], {}], [['apply', '-h'], {}],
      [['apply', '--check', ...T], {}], [['apply', '--check=true', ...T], {}], [['apply', '--config', 'x.yaml'], {}], [['apply', '--config=x.yaml'], {}],
      [['apply', '-V'], {}], [['apply', '--version'], {}], [['status', ...T], {}], [['status', '--config', 'x.yaml'], {}], [['status', '-h'], {}], [['plan', ...T], {}], [[], {}], [['--version'], {}], [['backup', ...T], {}],
      [['apply', ...T], { LVMSNAP_SIMULATOR: '1' }], [['apply', ...T], { LVMSNAP_PREFETCH: '0' }], [['apply', ...T], { LVMSNAP_PREFETCH: '1' }],
    ];
    for (const [argv, env] of cases) {
      const r = launch('echo', argv, env);
      expect(r.status, r.stderr).toBe(0);
      const launched = /^launched=(.*)$/m.exec(r.stdout)![1] !== 'none';
      expect(launched, `${argv.join(' ')} ${JSON.stringify(env)}`).toBe(wantsPrefetch(argv, { ...env }));
      expect(r.stdout.split('\n').filter((l) => l.startsWith('arg=')).map((l) => l.slice(4))).toEqual(argv);
      if (launched) expect((await waitForEnd()).split('\n')).toContain(STAND_IN_START);
    }
  }, 60_000);

  it('never passes on a LVMSNAP_LAUNCHED_LVM it did not set', () => {
    const r = launch('echo', ['plan', ...T], { LVMSNAP_LAUNCHED_LVM: '1 0 1 2 3 1 missing 5' });
    expect(r.stdout).toMatch(/^launched=none$/m);
  });

  it('starts nothing where lvm2 has no lvmdbusd profile (lvm would refuse to start)', () => {
    const r = launch('echo', ['apply', ...T], { LVM_SYSTEM_DIR: join(dir, 'nowhere') });
    expect(r.stdout).toMatch(/^launched=none$/m);
  });

  it('says what is wrong when its engine is missing, with exit 127', () => {
    rmSync(join(dir, 'lvmsnap-engine'), { force: true });
    const r = spawnSync(join(dir, 'lvmsnap'), ['--version'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(127);
    expect(r.stderr).toMatch(/cannot run its engine \/usr\/libexec\/lvmsnap\/lvmsnap: .*reinstall the lvmsnap package/);
  });
});

describe('the engine adopting the launcher\'s lvm', () => {
  const run = (env: Record<string, string> = {}) => {
    const r = launch('node', ['apply', '--state', 'absent', ...T], env);
    expect(r.status, r.stderr).toBe(0);
    return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, lines: r.lines() };
  };

  it('uses the report the launcher asked for when the lock directory did not change: one line, lvm ended, nothing inheritable', async () => {
    const { out, lines } = run();
    expect(out).toMatchObject({ launched: true, sent: '1', adopted: true, envLeft: null, locked: true, n: '1', listed: ['fullreport => 0'], inheritableAfter: [] });
    expect(lines).toEqual([lvmShellLine(fullreportArgv())]);
    expect(await waitForEnd()).toMatch(/^end$/m);
  }, 60_000);

  it('asks again, in the same lvm, when a lock was taken or released after the launcher asked', () => {
    const { out, lines } = run({ ENGINE_BETWEEN: 'touch' });
    expect(out).toMatchObject({ locked: true, n: '2' });
    expect(lines).toHaveLength(2);
  }, 60_000);

  it('sends nothing before the lock while the lock directory holds a lock: the report is asked after it', () => {
    writeFileSync(join(locks, 'vg1-other-lvmsnap.lock'), '');
    try {
      const { out, lines } = run();
      expect(out).toMatchObject({ launched: true, sent: '0', locked: true, n: '1', listed: ['fullreport => 0'] });
      expect(lines).toHaveLength(1);
    } finally {
      rmSync(join(locks, 'vg1-other-lvmsnap.lock'));
    }
  }, 60_000);

  it('ignores a LVMSNAP_LAUNCHED_LVM that names no child of its own (its stdio untouched) and starts its own shell', () => {
    writeEngine('node');
    writeFileSync(log, '');
    const r = spawnSync(join(dir, 'lvmsnap-engine'), ['apply', '--state', 'absent', ...T], {
      encoding: 'utf8',
      cwd: root,
      env: { ...process.env, ...standInEnv, ENGINE_LOCK_DIR: locks, LVMSNAP_LAUNCHED_LVM: '1 0 1 2 3 1 missing 5' },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ launched: true, adopted: true, envLeft: null, locked: true, n: '1', listed: ['fullreport => 0'] });
    expect(readFileSync(log, 'utf8')).toMatch(/^start 0/m);
  }, 60_000);

  it('sees lvm end with its own exit status once its input ends', () => {
    const { out } = run({ ENGINE_MODE: 'exit', LVM_EXIT: '5' });
    expect(out['exit']).toEqual({ code: 5, signal: null });
  }, 60_000);
});
