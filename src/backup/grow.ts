// Growing the snapshot while a backup reads it (`backup --grow-snapshot`), as a plan (data) run by the
// applier like apply's: from VG free space, one lvextend; for a tmp-file chain, the file grows in place
// (fallocate, or zeros appended with dd), the loop device re-reads its size (losetup --set-capacity), the
// loop PV grows (pvresize), then lvextend takes the new extents from that PV only.
//
// Ownership: every step keeps the chain lvmsnap's. The file keeps its inode (the journal's identity), the
// PV its UUID and tags, the snapshot its tag; nothing is journaled because nothing new is created. So
// after any prefix of the steps (a crash mid-grow) status still shows the chain present and absent
// removes all of it. Sizes are absolute, so a grow planned again from a fresh observation never
// doubles a step that already ran.
import { applyPlan } from '../apply.js';
import { fallocateArgv, losetupCapacityArgv, lvextendArgv, pvresizeArgv, zeroGrowArgv } from '../commands.js';
import { lockPath } from '../engine.js';
import { deriveFacts, MIB } from '../facts.js';
import { observe } from '../observe.js';
import type { HostPort } from '../port.js';
import type { Plan, PlannedChange, Step, SystemSnapshot, Target } from '../types.js';
import { allocationMethod } from '../../resources/tmp-file.js';

/** Usage (percent of the COW space) at which the watch warns, or grows with --grow-snapshot. */
export const GROW_PERCENT = 80;

const CHUNK = 4096;
/** lvm2's cow_max_size(): a COW of this size holds every chunk of the origin, so it can never fill up. */
export function cowMaxBytes(originBytes: number, extentSize: number): number {
  const originChunks = Math.ceil(originBytes / CHUNK);
  const perArea = CHUNK / 16;
  const bytes = (1 + originChunks + Math.floor((originChunks + perArea) / perArea)) * CHUNK;
  return Math.ceil(bytes / extentSize) * extentSize;
}

export type GrowDecision =
  | { readonly kind: 'grow'; readonly plan: Plan; readonly fromBytes: number; readonly toBytes: number }
  | { readonly kind: 'cannot'; readonly why: string };

const change = (kind: PlannedChange['kind'], id: string, reason: string, steps: Step[]): PlannedChange =>
  ({ kind, id, action: 'grow', before: 'present', after: 'present', reason, steps });
const exec = (argv: string[], progress = false): Step => (progress ? { type: 'exec', argv, progress } : { type: 'exec', argv });
const mib = (n: number): string => `${(n / MIB).toFixed(0)} MiB`;

/**
 * The plan that grows the target's snapshot by about half its size (at least one extent, at most to
 * lvm2's maximum), from VG free space, from a --cow-device's PV only, or, with a tmp file, from the file's filesystem (at most half
 * of its free space per grow). Pure: the same observation gives the same plan.
 */
export function planGrow(target: Target, snap: SystemSnapshot): GrowDecision {
  const f = deriveFacts(target, snap);
  const lv = f.snapshotLv;
  const id = `${target.vg}/${target.snapshot}`;
  if (!f.vg || !f.origin || !lv || !lv.isSnapshot) return { kind: 'cannot', why: `snapshot ${id} is not there` };
  if (lv.snapshotInvalid) return { kind: 'cannot', why: `snapshot ${id} is invalid` };
  const es = f.vg.extentSize;
  const cur = Math.round(lv.sizeBytes / es);
  const max = cowMaxBytes(f.origin.sizeBytes, es) / es;
  if (cur >= max) return { kind: 'cannot', why: `snapshot ${id} already has room for every block of ${target.vg}/${target.lv} (it cannot fill up)` };
  let add = Math.min(Math.max(1, Math.ceil(cur / 2)), max - cur);

  if (target.cowDevice !== undefined) {
    // Only from the spare device's PV: the snapshot must not spill onto the VG's own disks.
    const pv = f.cowPv;
    if (!pv || pv.vg !== target.vg) return { kind: 'cannot', why: `the PV on ${target.cowDevice} of ${id} is not in ${target.vg}` };
    add = Math.min(add, pv.peCount - pv.peAllocCount);
    if (add === 0) return { kind: 'cannot', why: `${pv.name} has no free extents left for ${id}` };
    const to = (cur + add) * es;
    const plan: Plan = { state: 'present', refusals: [], changes: [change('Snapshot', id, `${mib(cur * es)} -> ${mib(to)} from ${pv.name}`, [exec(lvextendArgv(target.vg, target.snapshot, to, [pv.name]))])] };
    return { kind: 'grow', plan, fromBytes: cur * es, toBytes: to };
  }
  if (target.tmpFile === undefined) {
    add = Math.min(add, f.vg.freeExtents);
    if (add === 0) return { kind: 'cannot', why: `volume group ${target.vg} has no free extents (use --tmp-file to borrow space from a file)` };
    const to = (cur + add) * es;
    const plan: Plan = { state: 'present', refusals: [], changes: [change('Snapshot', id, `${mib(cur * es)} -> ${mib(to)} from VG free space`, [exec(lvextendArgv(target.vg, target.snapshot, to))])] };
    return { kind: 'grow', plan, fromBytes: cur * es, toBytes: to };
  }

  const path = target.tmpFile;
  const st = snap.paths[path];
  const loop = f.boundLoop;
  const pv = f.loopPv;
  if (!f.tmpFileOurs || !st || !loop || !pv || pv.vg !== target.vg) return { kind: 'cannot', why: `the tmp-file chain of ${id} is not complete` };
  const pvFree = pv.peCount - pv.peAllocCount;
  const fsRoom = snap.tmpFs ? Math.floor(snap.tmpFs.availBytes / 2 / es) : 0;
  add = Math.min(add, pvFree + fsRoom);
  if (add === 0) return { kind: 'cannot', why: `the filesystem holding ${path} has too little free space to grow it` };
  const needPe = Math.max(0, add - pvFree);
  const changes: PlannedChange[] = [];
  if (needPe > 0) {
    // The PV's extents follow the device size: needPe more extents need needPe * es more bytes.
    const size = Math.ceil((st.size + needPe * es) / MIB) * MIB;
    const grow = allocationMethod(f) === 'fallocate' ? exec(fallocateArgv(path, size)) : exec(zeroGrowArgv(path, Math.floor(st.size / MIB) * MIB, size), true);
    changes.push(
      change('TmpFile', path, `${mib(st.size)} -> ${mib(size)}`, [grow]),
      change('LoopDevice', loop.name, 're-read the file size', [exec(losetupCapacityArgv(loop.name))]),
      change('PvInVg', `${target.vg}:${loop.name}`, `${pv.peCount} -> ${pv.peCount + needPe} extents`, [exec(pvresizeArgv(loop.name))]),
    );
  }
  const to = (cur + add) * es;
  changes.push(change('Snapshot', id, `${mib(cur * es)} -> ${mib(to)} from ${loop.name}`, [exec(lvextendArgv(target.vg, target.snapshot, to, [loop.name]))]));
  return { kind: 'grow', plan: { state: 'present', refusals: [], changes }, fromBytes: cur * es, toBytes: to };
}

export type GrowOutcome =
  | { readonly kind: 'grown'; readonly fromBytes: number; readonly toBytes: number; readonly steps: number }
  | { readonly kind: 'cannot'; readonly why: string }
  | { readonly kind: 'busy' };

/**
 * Observe, plan the grow and run it through the applier, under the target's apply lock (another lvmsnap
 * run on this target: 'busy', try at the next sample). A failing step throws ApplyFailed.
 */
export async function runGrow(host: HostPort, target: Target, lockDir?: string): Promise<GrowOutcome> {
  const lock = lockPath(target, lockDir);
  if (!(await host.lock(lock)).acquired) return { kind: 'busy' };
  try {
    const snap = await observe(host, target);
    const d = planGrow(target, snap);
    if (d.kind === 'cannot') return d;
    const steps = await applyPlan(d.plan, host, target, snap.journal);
    return { kind: 'grown', fromBytes: d.fromBytes, toBytes: d.toBytes, steps };
  } finally {
    await host.unlock(lock);
  }
}
