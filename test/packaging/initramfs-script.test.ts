// The initramfs recovery script (packaging/initramfs-tools/scripts/local-top/lvmsnap, also dracut's
// hook) run under busybox sh and dash with only a fake `lvm` on PATH. The fake answers `pvs --segments`
// with rows built from the real lvm2 fixture of a rebooted chain (and variations), and logs every
// call, so each test sees exactly which LVM commands the script would run.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = new URL('../../packaging/initramfs-tools/scripts/local-top/lvmsnap', import.meta.url).pathname;
const FIXTURE = new URL('../../fixtures/real-lvm/missing-pv.fullreport.json', import.meta.url).pathname;

const SHELLS: [string, string[]][] = [
  ['busybox sh', ['/bin/busybox', 'sh']],
  ['dash', ['/bin/sh']],
];

interface Row { vg: string; uuid: string; missing: boolean; ptags: string; lv: string; ltags: string; attr: string }

/** `lvm pvs --segments --noheadings --separator '|' -o vg_name,pv_uuid,pv_missing,pv_tags,lv_name,lv_tags,lv_attr`. */
const render = (rows: readonly Row[]): string =>
  rows.map((r) => `  ${[r.vg, r.uuid, r.missing ? 'missing' : '', r.ptags, r.lv, r.ltags, r.attr].join('|')}`).join('\n') + '\n';

/** The real rebooted chain (fixture): origin on /dev/vda, the snapshot's COW on the missing loop PV. */
function fixtureRows(): Row[] {
  const r = JSON.parse(readFileSync(FIXTURE, 'utf8')).report[0];
  const lvs = new Map<string, { lv_name: string; lv_tags: string; lv_attr: string }>(r.lv.map((l: { lv_uuid: string }) => [l.lv_uuid, l]));
  const vg: string = r.vg[0].vg_name; // fullreport has one report per VG; its pv rows carry no vg_name
  const pvs = new Map<string, { pv_uuid: string; pv_missing: string; pv_tags: string }>(r.pv.map((p: { pv_uuid: string }) => [p.pv_uuid, p]));
  return r.pvseg.map((s: { pv_uuid: string; lv_uuid: string }) => {
    const pv = pvs.get(s.pv_uuid)!;
    const lv = lvs.get(s.lv_uuid);
    return { vg, uuid: pv.pv_uuid, missing: pv.pv_missing === 'missing', ptags: pv.pv_tags, lv: lv?.lv_name ?? '', ltags: lv?.lv_tags ?? '', attr: lv?.lv_attr ?? '' };
  });
}

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

interface Run { out: string; calls: string[]; rc: number }

function run(shell: string[], rows: readonly Row[], opts: { failOn?: string } = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-initramfs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'rows'), render(rows));
  // Builtins only: PATH holds nothing but this fake.
  writeFileSync(join(dir, 'lvm'), [
    '#!/bin/sh',
    `echo "$*" >>'${dir}/calls'`,
    'case $1 in',
    `pvs) while IFS= read -r l; do printf '%s\\n' "$l"; done <'${dir}/rows' ;;`,
    `${opts.failOn ?? 'no-such-command'}) echo "fake lvm: $1 failed" >&2; exit 5 ;;`,
    'esac',
    'exit 0',
    '',
  ].join('\n'));
  chmodSync(join(dir, 'lvm'), 0o755);
  const r = spawnSync(shell[0]!, [...shell.slice(1), SCRIPT], {
    env: { PATH: dir, LVMSNAP_RUN_DIR: dir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : [];
  return { out: r.stdout + r.stderr, calls, rc: r.status ?? -1 };
}

const mutations = (r: Run) => r.calls.filter((c) => !c.startsWith('pvs '));

const ORIGIN = 'root';
const base = fixtureRows();
const missingUuid = base.find((r) => r.missing)!.uuid;
const snap = base.find((r) => r.missing && r.lv !== '')!.lv;

describe.each(SHELLS)('initramfs recovery script under %s', (_name, shell) => {
  it('is runnable here (busybox and dash present)', () => {
    expect(existsSync(shell[0]!), `${shell[0]} is needed for this test (apt-get install busybox-static)`).toBe(true);
  });

  it('the fixture is the real rebooted chain: tagged missing PV holding the tagged snapshot', () => {
    expect(base.filter((r) => r.missing).map((r) => [r.ptags, r.lv, r.ltags, r.attr[0]])).toEqual([['lvmsnap', snap, 'lvmsnap', 's'], ['lvmsnap', '', '', undefined]]);
  });

  it('repairs the real rebooted chain: lvremove the snapshot, vgreduce --removemissing (no --force), activate', () => {
    const r = run(shell, base);
    expect(r.rc).toBe(0);
    expect(mutations(r)).toEqual([`lvremove --yes vg0/${snap}`, 'vgreduce --yes --removemissing vg0', 'vgchange -aay vg0']);
    expect(r.calls[0]).toBe('pvs --segments --noheadings --separator | -o vg_name,pv_uuid,pv_missing,pv_tags,lv_name,lv_tags,lv_attr');
    expect(r.out).toContain('VG vg0 repaired');
  });

  it('does nothing and says nothing when no PV is missing', () => {
    const r = run(shell, base.map((x) => ({ ...x, missing: false })));
    expect(mutations(r)).toEqual([]);
    expect(r.out).toBe('');
  });

  it('refuses a missing PV without lvmsnap tag, naming it, and changes nothing', () => {
    const r = run(shell, base.map((x) => (x.missing ? { ...x, ptags: 'backup' } : x)));
    expect(mutations(r)).toEqual([]);
    expect(r.out).toContain(`not repairing VG vg0: missing PV ${missingUuid} does not carry lvmsnap's tag`);
    expect(r.out).toContain('never --force');
  });

  it('refuses when a non-snapshot LV (the origin) has extents on the missing PV', () => {
    const rows = [...base, { ...base.find((x) => x.missing)!, lv: ORIGIN, ltags: '', attr: 'owi---s-p-' }];
    const r = run(shell, rows);
    expect(mutations(r)).toEqual([]);
    expect(r.out).toContain(`LV vg0/${ORIGIN} has extents on the missing PV ${missingUuid} and is not a snapshot`);
  });

  it("refuses when a snapshot on the missing PV is not lvmsnap's (no tag)", () => {
    const r = run(shell, base.map((x) => (x.lv === snap ? { ...x, ltags: 'mine' } : x)));
    expect(mutations(r)).toEqual([]);
    expect(r.out).toContain(`snapshot vg0/${snap} has extents on the missing PV ${missingUuid} and was not created by lvmsnap`);
  });

  it('refuses when one of two missing PVs is foreign, even if the other is lvmsnap', () => {
    const other = { vg: 'vg0', uuid: 'AAAAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGGGG', missing: true, ptags: '', lv: '', ltags: '', attr: '' };
    const r = run(shell, [...base, other]);
    expect(mutations(r)).toEqual([]);
    expect(r.out).toContain(`missing PV ${other.uuid} does not carry lvmsnap's tag`);
  });

  it('repairs only the VG that is provably lvmsnap, leaving a foreign one alone', () => {
    const foreign = base.map((x) => ({ ...x, vg: 'data', uuid: `${x.uuid}x`, ptags: x.missing ? '' : x.ptags }));
    const r = run(shell, [...foreign, ...base]);
    expect(mutations(r)).toEqual([`lvremove --yes vg0/${snap}`, 'vgreduce --yes --removemissing vg0', 'vgchange -aay vg0']);
    expect(r.out).toContain('not repairing VG data');
  });

  it('a tagged missing PV with no extents (crash before the snapshot existed): only vgreduce', () => {
    const r = run(shell, base.filter((x) => !(x.missing && x.lv !== '')));
    expect(mutations(r)).toEqual(['vgreduce --yes --removemissing vg0', 'vgchange -aay vg0']);
  });

  it('an invalid (overflowed) snapshot, attr S, is still removed; tags among others are recognised', () => {
    const r = run(shell, base.map((x) => (x.lv === snap ? { ...x, attr: 'Swi---s-p-', ltags: 'a,lvmsnap,b' } : x.missing ? { ...x, ptags: `lvmsnap,lvmsnap_for_${snap}` } : x)));
    expect(mutations(r)).toEqual([`lvremove --yes vg0/${snap}`, 'vgreduce --yes --removemissing vg0', 'vgchange -aay vg0']);
  });

  it('a tag that merely contains "lvmsnap" is not lvmsnap\'s tag', () => {
    const r = run(shell, base.map((x) => (x.missing ? { ...x, ptags: 'notlvmsnap,lvmsnap_for_x' } : x)));
    expect(mutations(r)).toEqual([]);
  });

  it('stops before vgreduce when lvremove fails', () => {
    const r = run(shell, base, { failOn: 'lvremove' });
    expect(mutations(r)).toEqual([`lvremove --yes vg0/${snap}`]);
    expect(r.out).toContain('failed; stopping (no vgreduce)');
  });

  it('prints its initramfs-tools prerequisites', () => {
    expect(execFileSync(shell[0]!, [...shell.slice(1), SCRIPT, 'prereqs'], { encoding: 'utf8', env: { PATH: '/nonexistent' } })).toBe('cryptroot\n');
  });

  it('never passes --force anywhere', () => {
    const calls = readFileSync(SCRIPT, 'utf8').split('\n').filter((l) => /(^|[(! ])lvm [a-z]/.test(l) && !/^\s*(#|lvmsnap_say)/.test(l));
    expect(calls.length).toBe(4); // pvs, lvremove, vgreduce, vgchange
    for (const l of calls) expect(l).not.toContain('--force');
  });
});

describe('the dracut copy of the script', () => {
  // A real file, not a symlink: npm pack drops symlinks, and dracut's module then has no hook.
  const DRACUT_COPY = new URL('../../packaging/dracut/90lvmsnap/lvmsnap-recover.sh', import.meta.url).pathname;

  it('is a regular executable file with exactly the local-top script\'s content (cp packaging/initramfs-tools/scripts/local-top/lvmsnap to it after a change)', () => {
    const st = lstatSync(DRACUT_COPY);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o755);
    expect(readFileSync(DRACUT_COPY, 'utf8')).toBe(readFileSync(SCRIPT, 'utf8'));
  });
});
