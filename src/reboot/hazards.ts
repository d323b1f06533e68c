// Reboot hazards over one system-wide observation: what would break (block) or deserves a look (warn)
// if the host rebooted now, each with the exact command that removes it. Pure.
import { guardUnitFor } from '../systemd-units.js';
import type { ObservedLv, ObservedPv } from '../types.js';
import { isLoopDevice, isOurSnapshot, type Chain, type Discovery } from './discover.js';
import type { HostView } from './observe-host.js';

export const HAZARD_KINDS = ['loop-pv', 'guard-inactive', 'missing-pv', 'snapshot', 'cow-usage'] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];
export type Severity = 'block' | 'warn';

/** The `--json` contract: { safe, hazards: [ { severity, kind, vg, object, owner, fix } ] }. */
export interface Hazard {
  readonly severity: Severity;
  readonly kind: HazardKind;
  readonly vg: string;
  readonly object: string;
  /** "lvmsnap's (snapshot VG/S of VG/LV)" or "not lvmsnap's". */
  readonly owner: string;
  readonly fix: string;
}

export const COW_WARN_PERCENT = 80;
export const DEFAULT_STATE_DIR = '/var/lib/lvmsnap';
const NOT_OURS = "not lvmsnap's";

const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const cmd = (argv: readonly string[]): string => argv.map(quote).join(' ');

export function ownerOf(c: Chain): string {
  return `lvmsnap's (snapshot ${c.vg}/${c.snapshot}${c.lv ? ` of ${c.vg}/${c.lv}` : ''})`;
}

/** The command that removes one chain: its own `apply --state absent` while it is whole, else `recover`. */
export function chainFix(c: Chain, stateDir: string): string {
  const dir = stateDir === DEFAULT_STATE_DIR ? [] : ['--state-dir', stateDir];
  const t = c.target;
  if (c.lv === null || c.pvs.some((p) => p.missing)) return cmd(['lvmsnap', 'recover', '--vg', c.vg, ...dir]);
  return cmd([
    'lvmsnap', 'apply', '--state', 'absent', '--vg', t.vg, '--lv', t.lv, '--snapshot', t.snapshot,
    ...(t.mountpoint ? ['--mountpoint', t.mountpoint] : []), ...(t.tmpFile ? ['--tmp-file', t.tmpFile] : []),
    ...(t.cowDevice ? ['--cow-device', t.cowDevice] : []), ...dir,
  ]);
}

export function analyzeHazards(view: HostView, found: Discovery): Hazard[] {
  const out: Hazard[] = [];
  const chainOfPv = (pv: ObservedPv): Chain | undefined => found.chains.find((c) => c.pvs.some((p) => p.uuid === pv.uuid));
  const chainOfLv = (lv: ObservedLv): Chain | undefined => found.chains.find((c) => c.snapshotLv?.uuid === lv.uuid);
  const fixOf = (c: Chain): string => chainFix(c, view.stateDir);
  const loopPvNames = new Set(view.pvs.filter((p) => isLoopDevice(p.name)).map((p) => p.name));

  for (const pv of view.pvs.filter((p) => p.vg !== null && !p.missing && isLoopDevice(p.name))) {
    const c = chainOfPv(pv);
    const foreignFix = pv.peAllocCount > 0 ? `pvmove ${pv.name} && vgreduce ${pv.vg} ${pv.name}` : `vgreduce ${pv.vg} ${pv.name}`;
    out.push({ severity: 'block', kind: 'loop-pv', vg: pv.vg!, object: `${pv.name} (PV ${pv.uuid})`, owner: c ? ownerOf(c) : NOT_OURS, fix: c ? fixOf(c) : foreignFix });
  }

  // Only meaningful under systemd: the guard is what tears a chain down on a normal shutdown.
  if (view.systemd) {
    for (const c of found.chains.filter((x) => x.target.tmpFile !== undefined && x.pvs.some((p) => !p.missing))) {
      const unit = guardUnitFor(c.target.tmpFile!);
      const u = view.units[unit];
      if (u?.active === 'active') continue;
      const fix = u?.load === 'loaded' ? `systemctl start ${quote(unit)}` : `lvmsnap systemd install && systemctl start ${quote(unit)}`;
      out.push({ severity: 'block', kind: 'guard-inactive', vg: c.vg, object: `${unit} (${u?.active ?? 'unknown'})`, owner: ownerOf(c), fix });
    }
  }

  for (const pv of view.pvs.filter((p) => p.missing && p.vg !== null)) {
    const c = chainOfPv(pv);
    const users = view.lvs.filter((l) => l.vg === pv.vg && l.devices.includes('[unknown]'));
    const owner = c ? ownerOf(c) : pv.tags.includes('lvmsnap') ? "lvmsnap's (no journal names its snapshot)" : NOT_OURS;
    const fix = c ? fixOf(c)
      : users.length === 0 ? `vgreduce --removemissing ${pv.vg}`
      : `reconnect the device that held PV ${pv.uuid} (LVs ${users.map((l) => l.name).join(', ')} use it); never start with vgreduce --removemissing --force`;
    out.push({ severity: 'block', kind: 'missing-pv', vg: pv.vg!, object: `PV ${pv.uuid} (missing)`, owner, fix });
  }

  for (const lv of view.lvs.filter(isOurSnapshot)) {
    const c = chainOfLv(lv);
    const onLoop = lv.devices.some((d) => d === '[unknown]' || loopPvNames.has(d));
    out.push({
      severity: onLoop ? 'block' : 'warn', kind: 'snapshot', vg: lv.vg,
      object: `${lv.vg}/${lv.name}${onLoop ? ' (copy-on-write space on a loop PV)' : ''}`,
      owner: c ? ownerOf(c) : "lvmsnap's", fix: c ? fixOf(c) : cmd(['lvmsnap', 'recover', '--vg', lv.vg]),
    });
  }

  for (const lv of view.lvs.filter((l) => l.isSnapshot && (l.snapshotInvalid || (l.snapPercent ?? 0) > COW_WARN_PERCENT))) {
    const c = chainOfLv(lv);
    const used = lv.snapshotInvalid ? 'invalid (copy-on-write space full)' : `${lv.snapPercent}% of copy-on-write space used`;
    out.push({
      severity: 'warn', kind: 'cow-usage', vg: lv.vg, object: `${lv.vg}/${lv.name}: ${used}`,
      owner: c ? ownerOf(c) : NOT_OURS, fix: c ? fixOf(c) : `lvextend --extents +50%LV ${lv.vg}/${lv.name}`,
    });
  }
  return out;
}
