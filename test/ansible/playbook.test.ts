// The Ansible collection, run by a real ansible-playbook (connection: local). The lvmsnap module's code runs
// against the simulator through a test-only module build (entry-sim.ts); the shipped module files are
// checked for their protocol and documentation and run (installed with ansible-galaxy) for input errors (they never touch this machine).
// Ansible must be installed (Debian: apt-get install -y --no-install-recommends ansible-core): without it
// this test FAILS, it does not skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { comparable } from '../property/harness.js';
import { setSystem } from '../set/system.js';
import type { SimSystem } from '../../src/sim/state.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MODULES = join(ROOT, 'ansible/lvmsnap/plugins/modules');
const work = mkdtempSync(join(tmpdir(), 'lvmsnap-ansible-'));
const library = join(work, 'library');
const collections = join(work, 'collections');
// ansible-core has no json stdout callback (ansible.posix has): the test brings its own.
const CALLBACKS = join(ROOT, 'test/ansible/callback_plugins');

function ansibleEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env, LC_ALL: 'C.UTF-8', ANSIBLE_LIBRARY: library, ANSIBLE_COLLECTIONS_PATH: collections, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_LOCAL_TEMP: join(work, 'local-tmp'), ANSIBLE_REMOTE_TMP: join(work, 'remote-tmp'), ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_LOCALHOST_WARNING: '0',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: '0', ANSIBLE_DEPRECATION_WARNINGS: '0',
  };
}

interface Run { readonly code: number; readonly out: string; readonly json: AnsibleJson | null }
interface TaskResult { changed?: boolean; failed?: boolean; msg?: string; diff?: Record<string, string> | Record<string, string>[]; [k: string]: unknown }
interface AnsibleJson { plays: { tasks: { task: { name: string }; hosts: { localhost: TaskResult } }[] }[]; stats: { localhost: { changed: number; failures: number; ok: number } } }

function playbook(tasks: unknown[], simFile: string, args: string[] = [], json = true): Run {
  const file = join(work, `play-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, JSON.stringify([{ hosts: 'localhost', connection: 'local', gather_facts: false, environment: { LVMSNAP_TEST_SIM_FILE: simFile }, tasks }]));
  const r = spawnSync('ansible-playbook', ['-i', 'localhost,', file, ...args], {
    env: { ...ansibleEnv(), ...(json ? { ANSIBLE_STDOUT_CALLBACK: 'lvmsnap_json', ANSIBLE_CALLBACK_PLUGINS: CALLBACKS } : {}) }, encoding: 'utf8', timeout: 180_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { code: r.status ?? -1, out, json: json ? (JSON.parse(r.stdout) as AnsibleJson) : null };
}
const results = (r: Run): (TaskResult & { name: string })[] => r.json!.plays[0]!.tasks.map((t) => ({ ...t.hosts.localhost, name: t.task.name }) as TaskResult & { name: string });

function newSim(system: SimSystem = setSystem()): string {
  const file = join(work, `sim-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(system));
  return file;
}
const sim = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as SimSystem;
const ourSnapshots = (s: SimSystem) => Object.values(s.lvs).filter((l) => l.tags.includes('lvmsnap') && l.origin !== null).map((l) => `${l.vg}/${l.name}`).sort();

const DOCS = parse(readFileSync(join(MODULES, 'lvmsnap.yml'), 'utf8')) as { EXAMPLES: string; DOCUMENTATION: { options: Record<string, unknown> } };
/** The documented EXAMPLES, run with the test module in place of lvmsnap.lvmsnap.lvmsnap. */
const examples = (): Record<string, unknown>[] => (parse(DOCS.EXAMPLES) as Record<string, unknown>[]).map((t) => {
  const { 'lvmsnap.lvmsnap.lvmsnap': args, ...rest } = t;
  return args === undefined ? t : { ...rest, lvmsnap_sim: args };
});
const SET_TASK = examples().find((t) => String(t['name']).includes('as a set'))!;

beforeAll(async () => {
  const v = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) {
    throw new Error('ansible-playbook is not installed: this test needs Ansible. On Debian: apt-get install -y --no-install-recommends ansible-core (.ci/run installs it)');
  }
  mkdirSync(library, { recursive: true });
  // @ts-expect-error: a plain .mjs build script without types
  const { buildModule } = (await import('../../scripts/build-ansible.mjs')) as { buildModule: (e: string, o: string, d?: Record<string, string>) => Promise<void> };
  const entry = join(ROOT, 'test/ansible/entry-sim.ts');
  await buildModule(entry, join(library, 'lvmsnap_sim.js'), { LVMSNAP_TEST_MODULE: '"lvmsnap"' });
  await buildModule(entry, join(library, 'lvmsnap_reboot_facts_sim.js'), { LVMSNAP_TEST_MODULE: '"lvmsnap_reboot_facts"' });
  execFileSync('ansible-galaxy', ['collection', 'install', '--force', '-p', collections, join(ROOT, 'ansible/lvmsnap')], { env: ansibleEnv(), stdio: 'pipe' });
}, 240_000);

describe('ansible-playbook with the lvmsnap module (simulated LVM)', () => {
  it('--check --diff shows the plan and changes nothing; the first run changes, the second run changes nothing', () => {
    const file = newSim();
    const before = readFileSync(file, 'utf8');
    const check = playbook([SET_TASK], file, ['--check', '--diff'], false);
    expect(check.code, check.out).toBe(0);
    expect(check.out).toMatch(/\$ lvcreate --yes --snapshot --size 16777216b --name root-lvmsnap --addtag lvmsnap vg0\/root/);
    expect(check.out).toMatch(/\$ losetup \/dev\/loop0 -- \/var\/space\/home-cow\.img/);
    expect(check.out).toMatch(/^-vg1\/home-lvmsnap: LoopDevice \/dev\/loop0: absent$/m);
    expect(check.out).toMatch(/^\+vg1\/home-lvmsnap: LoopDevice \/dev\/loop0: present$/m);
    expect(check.out).toMatch(/localhost\s+: ok=1\s+changed=1\s+unreachable=0\s+failed=0/);
    expect(sim(file)).toEqual(JSON.parse(before));

    const first = playbook([SET_TASK], file);
    expect(first.json!.stats.localhost, first.out).toMatchObject({ changed: 1, failures: 0 });
    const [r] = results(first);
    expect(r!.changed).toBe(true);
    expect(r!['order']).toEqual(['vg0/root-lvmsnap', 'vg0/var-lvmsnap', 'vg1/home-lvmsnap']);
    expect((r!['commands'] as { mutating: boolean }[]).some((c) => c.mutating)).toBe(true);
    expect(ourSnapshots(sim(file))).toEqual(['vg0/root-lvmsnap', 'vg0/var-lvmsnap', 'vg1/home-lvmsnap']);

    const second = playbook([SET_TASK], file);
    expect(second.json!.stats.localhost, second.out).toMatchObject({ changed: 0, failures: 0 });
    expect((results(second)[0]!['commands'] as { mutating: boolean }[]).filter((c) => c.mutating)).toEqual([]);
  }, 240_000);

  it('every documented EXAMPLE runs, in order, and leaves the host as it found it', () => {
    const start = setSystem();
    const file = newSim(start);
    const r = playbook(examples(), file);
    expect(r.json!.stats.localhost, r.out).toMatchObject({ failures: 0 });
    const res = results(r);
    expect(res.map((t) => t.changed)).toEqual([true, true, true, false, true]);
    expect(String(res[3]!.msg)).toMatch(/vg0\/root-lvmsnap.*vg1\/home-lvmsnap/);
    expect(comparable(sim(file))).toEqual(comparable(start));
  }, 240_000);

  it('a refusal fails the task with the CLI\'s text, bad options fail, and a set with a loop PV makes the reboot facts unsafe', () => {
    const file = newSim();
    const tasks = [
      { name: 'refused', lvmsnap_sim: { vg: 'vg9', lv: 'root' }, ignore_errors: true },
      { name: 'bad option', lvmsnap_sim: { vg: 'vg0', lv: 'root', colour: 'red' }, ignore_errors: true },
      { name: 'set, one member impossible at run time', lvmsnap_sim: { size: '16M', targets: [{ vg: 'vg0', lv: 'root' }, { vg: 'vg1', lv: 'home', tmp_file: '/var/space/h.img' }] } },
      { name: 'facts', lvmsnap_reboot_facts_sim: {} },
      { name: 'unsafe', 'ansible.builtin.assert': { that: ['not ansible_facts.lvmsnap_reboot.safe', "ansible_facts.lvmsnap_reboot.hazards | length > 0"] } },
      // The shipped modules (installed collection), on this machine's real host: bad input only, so nothing is run.
      { name: 'shipped: no lv', 'lvmsnap.lvmsnap.lvmsnap': { vg: 'vg0', size: 'huge' }, ignore_errors: true },
      { name: 'shipped facts: bad option', 'lvmsnap.lvmsnap.lvmsnap_reboot_facts': { vg: 'vg0' }, ignore_errors: true },
    ];
    const r = playbook(tasks, file);
    const res = results(r);
    expect(res[0]).toMatchObject({ failed: true, changed: false, rc: 3 });
    expect(res[0]!.msg).toMatch(/^lvmsnap apply --state present: vg9\/root -> snapshot vg9\/root-lvmsnap\n[\s\S]*Refused, nothing was changed:\n {2}- volume group "vg9" not found: check the name with "vgs"$/);
    expect(res[1]).toMatchObject({ failed: true, msg: expect.stringMatching(/^lvmsnap: Unsupported parameters for \(lvmsnap\) module: colour\./) });
    expect(res[2]).toMatchObject({ changed: true });
    expect(res[3]!['ansible_facts']).toMatchObject({ lvmsnap_reboot: { safe: false } });
    expect(res[4]!.failed).toBeFalsy();
    expect(res[5]).toMatchObject({ failed: true, changed: false, rc: 3 });
    expect(res[5]!.msg).toBe('lvmsnap: invalid target in module options:\n  lv: required\n  size: "huge" is not a size: use 512M, 4G or 25%ORIGIN');
    expect(res[6]).toMatchObject({ failed: true, msg: expect.stringMatching(/Unsupported parameters for \(lvmsnap_reboot_facts\) module: vg/) });
    expect(r.json!.stats.localhost.failures).toBe(0);
  }, 240_000);
});

describe('the shipped collection', () => {
  it('modules are one Node file each with the WANT_JSON marker and a direct shebang; ansible-doc shows their documentation', () => {
    for (const m of ['lvmsnap', 'lvmsnap_reboot_facts']) {
      const text = readFileSync(join(MODULES, `${m}.js`), 'utf8');
      expect(text.startsWith('#!/usr/bin/node\n')).toBe(true);
      expect(text).toContain('WANT_JSON');
      expect(text).not.toMatch(/require\("\.\//);
      expect(text).not.toContain('LVMSNAP_TEST_SIM_FILE');
    }
    const doc = execFileSync('ansible-doc', ['lvmsnap.lvmsnap.lvmsnap', 'lvmsnap.lvmsnap.lvmsnap_reboot_facts'], { env: ansibleEnv(), encoding: 'utf8' });
    for (const option of Object.keys(DOCS.DOCUMENTATION.options)) expect(doc).toContain(`- ${option}`);
    expect(doc).toMatch(/EXAMPLES:[\s\S]*lvmsnap\.lvmsnap\.lvmsnap:/);
    expect(doc).toMatch(/RETURN VALUES:[\s\S]*resources/);
    expect(doc).toMatch(/LVMSNAP\.LVMSNAP\.LVMSNAP_REBOOT_FACTS[\s\S]*lvmsnap_reboot/);
  }, 120_000);

});
