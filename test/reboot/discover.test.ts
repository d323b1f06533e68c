// Discovery of lvmsnap chains and the reboot hazards, over real lvm2 outputs captured in the VM
// (fixtures/real-lvm: present.* = a live chain, missing-pv.* = the next boot without the loop PV) and
// over hand-made observations for the cases those do not show.
import { describe, expect, it } from 'vitest';
import { parseFindmnt, parseFullreport, parseLosetupList } from '../../src/parse/index.js';
import { lvmsnapPvUuid } from '../../src/pv-uuid.js';
import { discoverChains } from '../../src/reboot/discover.js';
import { analyzeHazards } from '../../src/reboot/hazards.js';
import type { HostView, JournalFile } from '../../src/reboot/observe-host.js';
import type { Journal, ObservedPv } from '../../src/types.js';
import { fixture } from '../parse/fixtures.js';

const JOURNAL: Journal = { version: 1, vg: 'vg0', snapshot: 'root_snap', lv: 'root', tmpFile: { path: '/var/space/extra.tmp', dev: 29, ino: 2 } };
const jf = (j: Journal): JournalFile => ({ path: `/var/lib/lvmsnap/${j.vg}/${j.snapshot}.json`, journal: j });

function viewOf(name: 'present' | 'missing-pv', over: Partial<HostView> = {}): HostView {
  const r = parseFullreport(fixture(`${name}.fullreport.json`));
  return {
    uid: 0, stateDir: '/var/lib/lvmsnap', vgs: r.vgs, pvs: r.pvs, lvs: r.lvs,
    loops: name === 'present' ? parseLosetupList(fixture('present.losetup.json')) : [],
    mounts: parseFindmnt(fixture('present.findmnt.json')).filter((m) => name === 'present' || !m.target.startsWith('/media')),
    journals: [], systemd: false, units: {}, ...over,
  };
}
/** The fixtures' loop PV carries only the "lvmsnap" tag (captured before lvmsnap added lvmsnap_for_<snapshot>). */
const withForTag = (v: HostView): HostView => ({ ...v, pvs: v.pvs.map((p): ObservedPv => (p.tags.includes('lvmsnap') ? { ...p, tags: [...p.tags, 'lvmsnap_for_root_snap'] } : p)) });

describe('discovery on the captured live chain (present.*)', () => {
  it('finds the chain from the snapshot tag, the PV tags, the journal and the mount', () => {
    const { chains, refusals } = discoverChains(withForTag(viewOf('present', { journals: [jf(JOURNAL)] })));
    expect(refusals).toEqual([]);
    expect(chains).toHaveLength(1);
    const c = chains[0]!;
    expect(c.key).toBe('vg0/root_snap');
    expect(c.lv).toBe('root');
    expect(c.pvs.map((p) => p.name)).toEqual(['/dev/loop0']);
    expect(c.target).toMatchObject({ vg: 'vg0', lv: 'root', snapshot: 'root_snap', tmpFile: '/var/space/extra.tmp', mountpoint: '/media/snap', removeMountpoint: false });
  });

  it('reports the loop PV and the snapshot on it as blocking, with the exact absent command', () => {
    const v = withForTag(viewOf('present', { journals: [jf(JOURNAL)] }));
    const hazards = analyzeHazards(v, discoverChains(v));
    const fix = 'lvmsnap apply --state absent --vg vg0 --lv root --snapshot root_snap --mountpoint /media/snap --tmp-file /var/space/extra.tmp';
    expect(hazards).toEqual([
      { severity: 'block', kind: 'loop-pv', vg: 'vg0', object: '/dev/loop0 (PV TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP)', owner: "lvmsnap's (snapshot vg0/root_snap of vg0/root)", fix },
      { severity: 'block', kind: 'snapshot', vg: 'vg0', object: 'vg0/root_snap (copy-on-write space on a loop PV)', owner: "lvmsnap's (snapshot vg0/root_snap of vg0/root)", fix },
    ]);
  });

  it('with systemd running and the guard inactive, that blocks too', () => {
    const v = withForTag(viewOf('present', { journals: [jf(JOURNAL)], systemd: true, units: { 'lvmsnap-guard@var-space.service': { id: 'lvmsnap-guard@var-space.service', load: 'loaded', active: 'inactive' } } }));
    const g = analyzeHazards(v, discoverChains(v)).filter((h) => h.kind === 'guard-inactive');
    expect(g).toEqual([{ severity: 'block', kind: 'guard-inactive', vg: 'vg0', object: 'lvmsnap-guard@var-space.service (inactive)', owner: "lvmsnap's (snapshot vg0/root_snap of vg0/root)", fix: 'systemctl start lvmsnap-guard@var-space.service' }]);
    const active = { ...v, units: { 'lvmsnap-guard@var-space.service': { id: 'lvmsnap-guard@var-space.service', load: 'loaded', active: 'active' } } };
    expect(analyzeHazards(active, discoverChains(active)).filter((h) => h.kind === 'guard-inactive')).toEqual([]);
  });

  it('a loop PV nobody journaled is "not lvmsnap\'s" and the fix only takes it out of the VG', () => {
    const v = viewOf('present');
    const foreign = { ...v, pvs: v.pvs.map((p) => ({ ...p, tags: [] })), lvs: v.lvs.map((l) => ({ ...l, tags: [] })) };
    const hazards = analyzeHazards(foreign, discoverChains(foreign));
    expect(hazards).toEqual([{ severity: 'block', kind: 'loop-pv', vg: 'vg0', object: '/dev/loop0 (PV TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP)', owner: "not lvmsnap's", fix: 'pvmove /dev/loop0 && vgreduce vg0 /dev/loop0' }]);
  });

  it('an untagged PV is lvmsnap\'s when its UUID is the one derived from a journaled target', () => {
    const v = viewOf('present');
    const uuid = lvmsnapPvUuid({ vg: 'vg0', snapshot: 'root_snap', tmpFile: '/var/space/extra.tmp' });
    const crashed = { ...v, journals: [jf(JOURNAL)], pvs: v.pvs.map((p) => (p.name === '/dev/loop0' ? { ...p, uuid, tags: [] } : p)) };
    const { chains, refusals } = discoverChains(crashed);
    expect(refusals).toEqual([]);
    expect(chains[0]!.pvs.map((p) => p.uuid)).toEqual([uuid]);
  });
});

describe('discovery on the captured next boot (missing-pv.*)', () => {
  it('sees the missing PV and the snapshot on it; recovery refuses while no journal explains that PV', () => {
    const v = viewOf('missing-pv');
    const found = discoverChains(v);
    expect(found.chains.map((c) => c.key)).toEqual(['vg0/root_snap']);
    expect(found.refusals).toEqual([expect.stringContaining('PV TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP ([unknown]) of vg0 carries the "lvmsnap" tag but names no snapshot')]);
    const kinds = analyzeHazards(v, found).map((h) => [h.severity, h.kind, h.owner]);
    expect(kinds).toEqual([
      ['block', 'missing-pv', "lvmsnap's (no journal names its snapshot)"],
      ['block', 'snapshot', "lvmsnap's (snapshot vg0/root_snap of vg0/root)"],
    ]);
  });

  it('with lvmsnap\'s tags and journal the chain is recoverable and the fix is recover', () => {
    const v = withForTag(viewOf('missing-pv', { journals: [jf(JOURNAL)] }));
    const found = discoverChains(v);
    expect(found.refusals).toEqual([]);
    expect(found.chains[0]!.pvs.map((p) => [p.uuid, p.missing])).toEqual([['TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP', true]]);
    expect(analyzeHazards(v, found).map((h) => [h.kind, h.fix])).toEqual([['missing-pv', 'lvmsnap recover --vg vg0'], ['snapshot', 'lvmsnap recover --vg vg0']]);
  });

  it('refuses a missing PV that is not lvmsnap\'s, and an LV lvmsnap did not create on a missing PV', () => {
    const v = viewOf('missing-pv', { journals: [jf(JOURNAL)] });
    const foreign = { ...v, pvs: v.pvs.map((p) => ({ ...p, tags: [] })), lvs: v.lvs.map((l) => (l.name === 'root_snap' ? { ...l, tags: [] } : l)) };
    const { refusals } = discoverChains(foreign);
    expect(refusals).toEqual([
      expect.stringMatching(/^volume group vg0 is missing PV TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP, which is not lvmsnap's/),
      expect.stringMatching(/^LV vg0\/root_snap has extents on a missing PV and was not created by lvmsnap/),
    ]);
    expect(analyzeHazards(foreign, discoverChains(foreign)).find((h) => h.kind === 'missing-pv')).toMatchObject({ owner: "not lvmsnap's", fix: expect.stringContaining('reconnect the device that held PV TdIOKu') });
  });

  it('--vg limits chains and refusals to that VG', () => {
    const v = viewOf('missing-pv');
    expect(discoverChains(v, 'vg9')).toEqual({ chains: [], refusals: [] });
  });
});

describe('COW usage', () => {
  it('warns above 80 % for any snapshot, lvmsnap\'s or not', () => {
    const v = withForTag(viewOf('present', { journals: [jf(JOURNAL)] }));
    const full = { ...v, lvs: v.lvs.map((l) => (l.isSnapshot ? { ...l, snapPercent: 81.5 } : l)) };
    expect(analyzeHazards(full, discoverChains(full)).filter((h) => h.kind === 'cow-usage')).toEqual([
      expect.objectContaining({ severity: 'warn', object: 'vg0/root_snap: 81.5% of copy-on-write space used', owner: "lvmsnap's (snapshot vg0/root_snap of vg0/root)" }),
    ]);
    const atLimit = { ...v, lvs: v.lvs.map((l) => (l.isSnapshot ? { ...l, snapPercent: 80 } : l)) };
    expect(analyzeHazards(atLimit, discoverChains(atLimit)).filter((h) => h.kind === 'cow-usage')).toEqual([]);
  });
});
