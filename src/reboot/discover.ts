// Finds every lvmsnap chain on the host without being told its target, from what lvmsnap leaves behind:
// LV tags (a tagged snapshot names its origin), PV tags (`lvmsnap_for_<snapshot>`, readable even when
// the PV is missing), the target-derived PV UUID, the journals under the state directory (tmp file,
// mountpoint lvmsnap created, origin), loop backing files and mounts. Each chain becomes a Target, so
// `recover` can run it through the ordinary planner as `apply --state absent`. Pure.
//
// It also lists, per VG in scope, what recovery must refuse: a missing PV that is not lvmsnap's, an LV
// lvmsnap did not create with extents on a missing PV, an lvmsnap PV no journal explains.
import { OWNER_TAG, pvForTag } from '../commands.js';
import { findLvMount } from '../observe.js';
import { lvmsnapPvUuid } from '../pv-uuid.js';
import type { Journal, ObservedLv, ObservedPv, Target } from '../types.js';
import type { HostView } from './observe-host.js';

export interface Chain {
  /** "vg/snapshot" */
  readonly key: string;
  readonly vg: string;
  readonly snapshot: string;
  /** Origin LV, or null when neither the snapshot nor the journal names it any more. */
  readonly lv: string | null;
  readonly journal: Journal | null;
  readonly snapshotLv: ObservedLv | undefined;
  /** PVs that are this chain's (by tag or derived UUID), present, orphaned or missing. */
  readonly pvs: readonly ObservedPv[];
  /** The target `apply --state absent` would need for this chain. */
  readonly target: Target;
}

export interface Discovery {
  readonly chains: readonly Chain[];
  /** Why recovery must not run (each names the object); empty when it may. */
  readonly refusals: readonly string[];
}

const FOR_PREFIX = pvForTag('');
const isLoopDevice = (name: string): boolean => /^\/dev\/loop\d+$/.test(name);
// Thin snapshots too: recover removes every snapshot lvmsnap made (a thin one needs no vgreduce).
export const isOurSnapshot = (lv: ObservedLv): boolean => (lv.isSnapshot || (lv.thin?.kind === 'volume' && lv.origin !== null)) && lv.tags.includes(OWNER_TAG);

interface Draft { vg: string; snapshot: string; journal: Journal | null; snapshotLv?: ObservedLv; pvs: ObservedPv[] }

/** What to look at: only chains in these VGs (and only their missing PVs count), only these "vg/snapshot" chains. */
export interface DiscoveryScope {
  readonly vgs?: ReadonlySet<string>;
  readonly keys?: ReadonlySet<string>;
}

export function discoverChains(view: HostView, scopeOrVg: string | DiscoveryScope = {}): Discovery {
  const scope: DiscoveryScope = typeof scopeOrVg === 'string' ? { vgs: new Set([scopeOrVg]) } : scopeOrVg;
  const drafts = new Map<string, Draft>();
  const draft = (vg: string, snapshot: string): Draft => {
    const key = `${vg}/${snapshot}`;
    let d = drafts.get(key);
    if (!d) drafts.set(key, (d = { vg, snapshot, journal: null, pvs: [] }));
    return d;
  };
  for (const j of view.journals) draft(j.journal.vg, j.journal.snapshot).journal = j.journal;
  for (const lv of view.lvs) if (isOurSnapshot(lv)) draft(lv.vg, lv.name).snapshotLv = lv;

  // PVs: the snapshot they serve is in their tag; untagged ones (a crash between vgextend and pvchange)
  // are recognised by the UUID derived from a journaled target.
  const unexplained: ObservedPv[] = [];
  for (const pv of view.pvs) {
    const forTag = pv.tags.find((t) => t.startsWith(FOR_PREFIX));
    if (pv.vg !== null && forTag && pv.tags.includes(OWNER_TAG)) {
      draft(pv.vg, forTag.slice(FOR_PREFIX.length)).pvs.push(pv);
      continue;
    }
    const byUuid = [...drafts.values()].find((d) => d.journal?.tmpFile && pv.uuid === lvmsnapPvUuid({ vg: d.vg, snapshot: d.snapshot, tmpFile: d.journal.tmpFile.path }));
    if (byUuid) byUuid.pvs.push(pv);
    else if (pv.tags.includes(OWNER_TAG)) unexplained.push(pv);
  }

  const inScope = (vg: string | null): boolean => scope.vgs === undefined || (vg !== null && scope.vgs.has(vg));
  const chains = [...drafts.entries()]
    .filter(([key, d]) => inScope(d.vg) && (scope.keys === undefined || scope.keys.has(key)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, d]): Chain => {
      const lv = d.snapshotLv?.origin ?? d.journal?.lv ?? d.journal?.reactivateOrigin ?? null;
      const mount = d.snapshotLv ? findLvMount(d.snapshotLv, view.mounts) : undefined;
      const mountpoint = d.journal?.createdMountpoint ?? mount?.target;
      const tmpFile = d.journal?.tmpFile?.path;
      const target: Target = {
        // An origin nobody names any more matches no LV ("" is no valid LV name): nothing to reactivate.
        vg: d.vg, lv: lv ?? '', snapshot: d.snapshot, size: { kind: 'percentOrigin', percent: 20 },
        ...(mountpoint !== undefined ? { mountpoint } : {}),
        ...(tmpFile !== undefined ? { tmpFile } : {}),
        allocate: 'auto', removeMountpoint: false, stateDir: view.stateDir,
      };
      return { key, vg: d.vg, snapshot: d.snapshot, lv, journal: d.journal, snapshotLv: d.snapshotLv, pvs: d.pvs, target };
    });

  // Chains in scope's VGs left out by scope.keys: their missing PVs would stop the members' vgreduce --removemissing.
  const others = [...drafts.entries()].filter(([key, d]) => inScope(d.vg) && scope.keys !== undefined && !scope.keys.has(key));
  const blocking = others.filter(([, d]) => d.pvs.some((p) => p.missing)).map(([key]) => key);
  const refusals = [
    ...refusalsFor(view, chains, unexplained, inScope, new Set(others.flatMap(([, d]) => d.pvs.map((p) => p.uuid)))),
    ...blocking.map((key) => `lvmsnap chain ${key} is not one of the given targets but lost its PV in the same volume group: recover it too (lvmsnap recover --vg ${key.split('/')[0]!})`),
  ];
  return { chains, refusals };
}

function refusalsFor(view: HostView, chains: readonly Chain[], unexplained: readonly ObservedPv[], inScope: (vg: string | null) => boolean, othersPvs: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const dir = view.stateDir;
  for (const c of chains) {
    if (c.pvs.length > 0 && c.target.tmpFile === undefined)
      out.push(`PV ${c.pvs.map((p) => p.uuid).join(', ')} of ${c.vg} is lvmsnap's (for snapshot ${c.snapshot}) but no journal under ${dir} records its tmp file: run recover with the --state-dir it was created with`);
  }
  for (const pv of unexplained.filter((p) => inScope(p.vg)))
    out.push(`PV ${pv.uuid} (${pv.name}) of ${pv.vg ?? 'no VG'} carries the "${OWNER_TAG}" tag but names no snapshot and no journal under ${dir} explains it: run recover with the right --state-dir, or remove it by hand`);
  const ours = new Set([...chains.flatMap((c) => c.pvs.map((p) => p.uuid)), ...othersPvs]);
  for (const vg of view.vgs.filter((v) => inScope(v.name))) {
    for (const pv of view.pvs.filter((p) => p.vg === vg.name && p.missing && !ours.has(p.uuid) && !unexplained.includes(p)))
      out.push(`volume group ${vg.name} is missing PV ${pv.uuid}, which is not lvmsnap's: lvmsnap will not repair ${vg.name}; reconnect that device, then run recover again (never start with vgreduce --removemissing --force: it deletes partial LVs)`);
    for (const lv of view.lvs.filter((l) => l.vg === vg.name && l.devices.includes('[unknown]') && !isOurSnapshot(l)))
      out.push(`LV ${vg.name}/${lv.name} has extents on a missing PV and was not created by lvmsnap: lvmsnap will not run vgreduce --removemissing on ${vg.name}; reconnect the missing device`);
  }
  return out;
}

export { isLoopDevice };
