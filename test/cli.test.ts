import { describe, expect, it } from 'vitest';
import { EXIT, main } from '../src/cli/main.js';
import type { HostPort } from '../src/port.js';

/** A host that records and rejects every call: input errors must be caught before any of them. */
function untouchable() {
  const calls: string[] = [];
  const no = (what: string) => async (...a: unknown[]): Promise<never> => { calls.push(`${what} ${JSON.stringify(a)}`); throw new Error(`touched: ${what}`); };
  const host: HostPort = { run: no('run'), readFile: no('readFile'), listDir: no('listDir'), writeFile: no('writeFile'), removeFile: no('removeFile'), lock: no('lock'), unlock: no('unlock'),
    readMountinfo: no('readMountinfo'), readLoopSysfs: no('readLoopSysfs'), lstat: no('lstat'), realpath: no('realpath'), statfsAvail: no('statfsAvail'), pipe: no('pipe'), uid: () => 0 };

  return { host, calls };
}

async function cli(argv: string[], host: HostPort = untouchable().host) {
  let out = '';
  let err = '';
  const code = await main(argv, { host, stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { code, out, err };
}

const T = ['--vg', 'vg0', '--lv', 'root'];

describe('bad input: exit 3, no command run, a message that says what to do', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /name a command/],
    ['unknown command', ['snap'], /unknown command: snap\nname a command: apply, plan, status/],
    ['apply without --state', ['apply', ...T], /Missing required argument: --state \(present or absent\)\nsee lvmsnap apply --help/],
    ['bad --state', ['apply', '--state', 'gone', ...T], /invalid value for --state: "gone"; choose one of: present, absent/],
    ['no target', ['apply', '--state', 'present'], /no target: pass --vg NAME --lv NAME/],
    ['VG name LVM rejects', ['apply', '--state', 'present', '--vg', 'vg 0', '--lv', 'root'], /vg: "vg 0" is not a valid LVM VG name/],
    ['LV name LVM rejects', ['apply', '--state', 'present', '--vg', 'vg0', '--lv', 'snapshot1'], /must not start with "snapshot"/],
    ['reserved LV suffix', ['apply', '--state', 'present', ...T, '--snapshot', 'x_tmeta'], /must not contain "_tmeta"/],
    ['snapshot named like the origin', ['apply', '--state', 'present', ...T, '--snapshot', 'root'], /snapshot: must differ/],
    ['relative mountpoint', ['apply', '--state', 'present', ...T, '--mountpoint', 'mnt/snap'], /mountpoint: must be an absolute/],
    ['relative tmp file', ['apply', '--state', 'present', ...T, '--tmp-file', 'cow.img'], /tmpFile: must be an absolute/],
    ['mountpoint /', ['apply', '--state', 'present', ...T, '--mountpoint', '/'], /mountpoint: must be an absolute, normalized path/],
    ['bad size', ['apply', '--state', 'present', ...T, '--size', 'lots'], /"lots" is not a size/],
    ['percent over 100', ['apply', '--state', 'present', ...T, '--size', '150%ORIGIN'], /not a size/],
    ['bad tmp-file size', ['apply', '--state', 'present', ...T, '--tmp-file', '/var/tmp/c', '--tmp-file-size', 'x'], /tmpFileSize/],
    ['tmp-file-size without tmp-file', ['apply', '--state', 'present', ...T, '--tmp-file-size', '1G'], /tmpFileSize: needs tmpFile/],
    ['bad loop device', ['apply', '--state', 'present', ...T, '--tmp-file', '/var/tmp/c', '--loop-device', '/dev/sda'], /must look like \/dev\/loop3/],
    ['bad --allocate', ['apply', '--state', 'present', ...T, '--allocate', 'sparse'], /invalid value for --allocate: "sparse"; choose one of: auto, fallocate, zero/],
    ['unknown flag', ['apply', '--state', 'present', ...T, '--frobnicate'], /unknown flag --frobnicate for lvmsnap apply\nsee lvmsnap apply --help/],
    ['misspelt flag', ['apply', '--state', 'present', ...T, '--tmpfile', '/x'], /unknown flag --tmpfile .*did you mean --tmp-file\?/],
    ['flag without its value', ['status', '--vg', 'vg0', '--lv'], /--lv needs a value \(NAME\)/],
    ['a stray argument', ['status', ...T, 'now'], /unexpected argument "now": lvmsnap status takes no arguments/],
    ['--wait not a number', ['apply', '--state', 'present', ...T, '--wait', 'soon'], /--wait expects a number, got "soon"/],
    ['a flag twice', ['status', ...T, '--vg', 'vg1'], /--vg is given more than once/],
  ];
  it.each(cases)('%s', async (_n, argv, re) => {
    const { host, calls } = untouchable();
    const r = await cli(argv, host);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toMatch(re);
    expect(calls).toEqual([]);
  });

  it('--json still prints one JSON object for scripts', async () => {
    const r = await cli(['apply', '--state', 'present', '--vg', 'vg 0', '--lv', 'root', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, changed: false, exitCode: 3, errorType: 'UsageError' });
  });
});

describe('config files', () => {
  const withFile = (name: string, text: string) => {
    const { host, calls } = untouchable();
    return { host: { ...host, readFile: async (p: string) => (p === name ? text : null) }, calls };
  };
  it('names the field that is wrong', async () => {
    const { host, calls } = withFile('/etc/lvmsnap/root.yaml', 'vg: vg0\nlv: root\nmountpoint: relative/dir\ncolour: blue\n');
    const r = await cli(['apply', '--state', 'present', '--config', '/etc/lvmsnap/root.yaml'], host);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/mountpoint: must be an absolute/);
    expect(r.err).toMatch(/Unrecognized key.*colour/);
    expect(calls).toEqual([]);
  });
  it('reports unreadable YAML and a missing file', async () => {
    expect((await cli(['status', '--config', '/x.yaml'], withFile('/x.yaml', 'vg: [').host)).err).toMatch(/cannot read config \/x.yaml/);
    expect((await cli(['status', '--config', '/missing.yaml'], withFile('/x.yaml', '').host)).err).toMatch(/config file \/missing.yaml not found/);
  });
});

describe('--help teaches', () => {
  it('lists commands, target flags, examples and exit codes', async () => {
    const r = await cli(['apply', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--tmp-file/);
    expect(r.out).toMatch(/Examples:/);
    expect(r.out).toMatch(/Exit codes:\n\s+0\s+success\n\s+1\s+failed/);
    expect(r.out).toMatch(/--state present\|absent\s+desired state \[required\]/);
    expect(r.out).toMatch(/--size SIZE .*\[default: 20%ORIGIN\]/);
  });
});
