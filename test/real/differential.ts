// Differential check of the real-LVM tier: every scenario the VM ran is replayed in-process on the
// simulator, and the real and simulated runs must agree.
//
//   node --import tsx test/real/differential.ts RESULTS_DIR     (run by test/real/run-all.sh)
//
// RESULTS_DIR holds one folder per VM boot, each with trace/<scenario>/<NNN>/ written by
// test/real/lib.sh in the guest (see there): setup steps, events (foreign objects, reboot) and CLI
// runs with their argv, LVMSNAP_TEST_KILL_AFTER, exit status, stdout (--json), every command the CLI
// spawned (recorded by test/real/shim.c) and the real system's state right after.
//
// For each scenario the simulator starts from simpleSystem() with the VM's layout, applies the same
// events, and runs the same argv through the CLI's own main() with a SimHost (crashAfterMutating for
// killed runs). Compared, per CLI run:
//   1. killed (real exit 137) vs SimulatedCrash; otherwise the exit codes;
//   2. the argv and exit code of every mutating command, in order (real: the shim's log; the
//      command the real run was killed right after is in it too);
//   3. the real run's own --json "commands" against the shim's log: the same commands, and exactly
//      the changing ones marked mutating:true;
//   4. the --json documents (apply, status, or the pre-plan error object);
//   5. the end state: LVs, PVs, VG extents, loop devices, mounts at lvmsnap's paths, the tmp file and
//      the journal, parsed from the real tools' output with lvmsnap's own parsers and from the
//      simulator's answers to the same commands; and the kernel views lvmsnap itself reads
//      (/proc/self/mountinfo, /sys/block/loop*: bindings with offset, size, autoclear, free devices)
//      against the simulator's (when the trace has them: lib.sh's capture_state).
// Setup and event steps compare the end state too (the simulator's layout and reboot model).
//
// Normalized (these must differ between a VM and a model, nothing else is):
//   - durations: commands[].ms and the human "s in commands" are not compared at all;
//   - device numbers and inodes: observed.dev / observed.ino of the tmp file, the journal's
//     tmpFile.dev / tmpFile.ino, dm minors (majMin) — the model numbers devices its own way;
//   - observed.usedPercent of the snapshot: real COW usage depends on the background writer; for a thin
//     snapshot likewise mappedPercent, poolDataPercent and poolMetadataPercent (the model stores pool
//     usage, it does not derive it from writes);
//   - lvm2's hidden sub-LVs of a thin pool ([pool_tdata], [pool_tmeta], [lvol0_pmspare]): the model
//     keeps their extents in the pool itself;
//   - directory sizes and the %m mount point column of stat (tmpfs/overlay directory sizes, and
//     the VM's bind mounts of /media in the reboot scenario);
//   - the lock holder's pid in "another lvmsnap run holds ... (pid N)", and a thin pool's usage in refusals.
// Anything else that differs fails the tier and is printed as "path: real=... sim=...".
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import * as C from '../../src/commands.js';
import { wantsPrefetch } from '../../src/host-real-prefetch.js';
import { isShellReport } from '../../src/lvm-shell/protocol.js';
import { parseFindmnt, parseFullreport, parseLosetupList, parseMountinfo, parseStat, parseSysfsLoops } from '../../src/parse/index.js';
import type { SysfsLoop } from '../../src/port.js';
import { rehearse } from '../../src/rehearse.js';
import { SimHost } from '../../src/sim/host.js';
import { mountinfo, sysfsLoops } from '../../src/sim/kernel-views.js';
import { parseHeadDump } from '../parse/kernel-fixtures.js';
import { addDisk, addFile, addFilesystem, addLv, addThinLv, addThinPool, addVg, drift, exec, simpleSystem, type SimSystem } from '../../src/sim/model.js';
import { edit, setFields } from '../../src/sim/edit.js';
import { produce } from 'immer';

const MiB = 1024 * 1024;
// The VM's layout (test/real/lib.sh): a 512 MiB /dev/vda = 127 extents of 4 MiB, 25 for root.
const VG_FREE_BYTES = (127 - 25) * 4 * MiB;
const TMPF = '/var/space/cow.img';
const OTHERF = '/var/space/other.img';
const MNT = '/media/snap';
const STAT_PATHS = [TMPF, OTHERF, '/var/space', MNT, '/media', '/mnt/root'];
const MOUNT_TARGETS = ['/mnt/root', '/var/space', MNT];
const JOURNAL = '/var/lib/lvmsnap/vg0/root-lvmsnap.json';
const LOCK = '/run/lock/lvmsnap/vg0-root-lvmsnap.lock';
const FOREIGN_PV_UUID = 'Foreig-nPV0-0000-0000-0000-0000-000001'; // test/real/scenarios/boot-recovery.sh

// ---- traces ------------------------------------------------------------------------------------

interface Step {
  readonly dir: string;
  readonly n: string;
  readonly kind: 'setup' | 'event' | 'cli';
}

const read = (p: string): string | null => (existsSync(p) ? readFileSync(p, 'utf8') : null);

function findTraces(results: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (!statSync(p).isDirectory()) continue;
      if (e === 'trace') {
        // A unit that never finished (its boot was killed at the timeout) has a partial trace; the
        // boot's failure is reported by run-all.sh, and the trace is no result to compare.
        const finished = new Set((read(join(dir, 'results.tsv')) ?? '').split('\n').map((l) => l.split('\t')[0]));
        for (const t of readdirSync(p)) {
          if (!finished.has(t)) {
            process.stderr.write(`differential: skipping ${t}: the unit did not finish in its boot\n`);
            continue;
          }
          if (out.has(t)) throw new Error(`scenario trace ${t} appears twice (${out.get(t)} and ${join(p, t)})`);
          out.set(t, join(p, t));
        }
      } else if (depth < 2) walk(p, depth + 1);
    }
  };
  walk(results, 0);
  return out;
}

function stepsOf(dir: string): Step[] {
  return readdirSync(dir)
    .filter((n) => /^\d{3}$/.test(n))
    .sort()
    .map((n) => ({ dir: join(dir, n), n, kind: (read(join(dir, n, 'kind')) ?? '').trim() as Step['kind'] }));
}

// ---- the shim's command log ----------------------------------------------------------------------

/** inShell: a line the shim saw going into an lvm shell (its id is <pid>.<n>), not a process. */
interface Cmd { readonly argv: string[]; readonly exitCode: number | null; readonly inShell: boolean }

function shimLog(file: string): Cmd[] {
  const text = read(file) ?? '';
  const started = new Map<string, Cmd>();
  const order: Cmd[] = [];
  for (const rec of text.split('\x1e')) {
    if (rec === '') continue;
    const [tag, pid, rest] = [rec.slice(0, 1), rec.split('\t')[1]!, rec.split('\t').slice(2).join('\t')];
    if (tag === 'S') {
      const c = { argv: rest.split('\x1f'), exitCode: null as number | null, inShell: pid.includes('.') };
      started.set(pid, c);
      order.push(c);
    } else if (tag === 'E') {
      const c = started.get(pid);
      if (c) (c as { exitCode: number | null }).exitCode = Number(rest);
    }
  }
  return order;
}

// lastlog: what lvmsnap asks an lvm shell after a failed command (its errors); not listed in --json.
// fullreport: the observation's report as a line of an apply's lvm shell (listed in --json as `lvm fullreport`).
const READ_ONLY = (argv: readonly string[]): boolean =>
  ['lvm', 'lastlog', 'fullreport', 'pvs', 'vgs', 'lvs', 'findmnt', 'stat', 'df', 'blkid'].includes(argv[0]!) ||
  (argv[0] === 'losetup' && (argv[1] === '--list' || argv[1] === '--find'));

const line = (argv: readonly string[]): string => argv.join(' ');

// ---- end-state summaries --------------------------------------------------------------------------

/** kernel: what lvmsnap reads itself (mountinfo, sysfs loops); states captured before lib.sh did have none. */
interface Raw { fullreport: string; losetup: string; findmnt: string; stat: string; journal: string | null; kernel: { mountinfo: string; loops: SysfsLoop[] } | null }

function summarize(raw: Raw): Record<string, unknown> {
  const r = parseFullreport(raw.fullreport);
  const journal = raw.journal === null ? null : (JSON.parse(raw.journal) as Record<string, unknown>);
  if (journal && typeof journal['tmpFile'] === 'object' && journal['tmpFile'] !== null) {
    const { dev: _d, ino: _i, ...rest } = journal['tmpFile'] as Record<string, unknown>;
    journal['tmpFile'] = { ...rest, identityRecorded: _i !== undefined };
  }
  return {
    vgs: r.vgs.map((v) => ({ name: v.name, extents: v.extentCount, free: v.freeExtents, partial: v.partial, missingPvs: v.missingPvCount })),
    pvs: r.pvs.map((p) => ({ name: p.name, vg: p.vg, tags: p.tags, missing: p.missing, pe: p.peCount, alloc: p.peAllocCount }))
      .sort((a, b) => (a.name + a.tags.join()).localeCompare(b.name + b.tags.join())),
    lvs: r.lvs.filter((l) => !l.name.startsWith('[')).map((l) => ({ name: l.name, origin: l.origin, tags: l.tags, active: l.active, invalid: l.snapshotInvalid, size: l.sizeBytes, devices: l.devices }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    // By name: util-linux lists loop devices in its own order (most recently bound first, seen with two).
    loops: parseLosetupList(raw.losetup).map((l) => ({ name: l.name, backFile: l.backFile, deleted: l.backFileDeleted })).sort((a, b) => a.name.localeCompare(b.name)),
    mounts: parseFindmnt(raw.findmnt)
      .filter((m) => MOUNT_TARGETS.includes(m.target))
      // Options only where lvmsnap mounts: the others were mounted by the harness / the model's builder.
      .map((m) => ({ target: m.target, source: m.source, fstype: m.fstype, ...(m.target === MNT ? { options: m.options.join(',') } : {}) }))
      .sort((a, b) => a.target.localeCompare(b.target)),
    paths: Object.fromEntries(parseStat(raw.stat).map((p) => [p.path, p.type === 'directory' ? 'directory' : `${p.type} ${p.size}`])),
    journal,
    ...(raw.kernel ? kernelSummary(raw.kernel) : {}),
  };
}

/** The kernel views lvmsnap observes through: mounts at lvmsnap's paths, loop bindings and free devices. */
function kernelSummary(k: NonNullable<Raw['kernel']>): Record<string, unknown> {
  const loops = parseSysfsLoops(k.loops);
  return {
    kernelMounts: parseMountinfo(k.mountinfo)
      .filter((m) => MOUNT_TARGETS.includes(m.target))
      .map((m) => ({ target: m.target, source: m.source, fstype: m.fstype, ...(m.target === MNT ? { options: m.options.join(',') } : {}) }))
      .sort((a, b) => a.target.localeCompare(b.target)),
    kernelLoops: loops.bound.map(({ majMin: _m, ...l }) => l),
    freeLoops: loops.free,
  };
}

function realRaw(stateDir: string): Raw | null {
  if (!existsSync(join(stateDir, 'fullreport.json'))) return null;
  return {
    fullreport: read(join(stateDir, 'fullreport.json'))!,
    losetup: read(join(stateDir, 'losetup.json'))!,
    findmnt: read(join(stateDir, 'findmnt.json'))!,
    stat: read(join(stateDir, 'stat.txt')) ?? '',
    journal: read(join(stateDir, 'journal.json')),
    kernel: existsSync(join(stateDir, 'mountinfo'))
      ? { mountinfo: read(join(stateDir, 'mountinfo'))!, loops: parseHeadDump(read(join(stateDir, 'sysfs-loop.txt')) ?? '', join(stateDir, 'sysfs-loop.txt')) }
      : null,
  };
}

/** withKernel: only when the real capture has the kernel views too (older traces do not). */
function simRaw(s: SimSystem, withKernel: boolean): Raw {
  const out = (argv: string[]) => exec(s, argv).result.stdout;
  return {
    fullreport: out(C.fullreportArgv()),
    losetup: out(C.losetupListArgv()),
    findmnt: out(C.findmntArgv()),
    stat: out(C.statArgv(STAT_PATHS)),
    journal: s.stateFiles[JOURNAL] ?? null,
    kernel: withKernel ? { mountinfo: mountinfo(s), loops: sysfsLoops(s) } : null,
  };
}

// ---- --json documents -------------------------------------------------------------------------------

// A thin pool's usage moves with the writer (and the model stores it): "(data 20.12%, metadata 11.43% used)".
const text = (s: unknown): unknown => (typeof s === 'string'
  ? s.replace(/\(pid \d+\)/g, '(pid N)').replace(/\((?:data [\d.]+%)?(?:, )?(?:metadata [\d.]+%)? used\)/g, '(USAGE used)')
  : s);

function observed(o: unknown): unknown {
  if (o === null || typeof o !== 'object') return o;
  const { dev: _d, ino: _i, usedPercent: _u, majMin: _m, mappedPercent: _mp, poolDataPercent: _pd, poolMetadataPercent: _pm, ...rest } = o as Record<string, unknown>;
  return rest;
}

function normJson(doc: Record<string, unknown>): Record<string, unknown> {
  const res = (doc['resources'] ?? []) as Record<string, unknown>[];
  if (res.length > 0 && 'action' in res[0]!) {
    return {
      changed: doc['changed'], state: doc['state'], check: doc['check'], ok: doc['ok'], target: doc['target'],
      refusals: ((doc['refusals'] ?? []) as unknown[]).map(text), error: text(doc['error']), rehearsal: doc['rehearsal'],
      resources: res.map((r) => ({ kind: r['kind'], id: r['id'], action: r['action'], before: r['before'], after: r['after'], reason: text(r['reason']), steps: r['steps'], observed: observed(r['observed']) })),
    };
  }
  if (res.length > 0 && 'status' in res[0]!) {
    return {
      state: doc['state'], target: doc['target'],
      resources: res.map((r) => ({ kind: r['kind'], id: r['id'], status: r['status'], reason: text(r['reason']), observed: observed(r['observed']) })),
    };
  }
  return { ok: doc['ok'], changed: doc['changed'], exitCode: doc['exitCode'], error: text(doc['error']), errorType: doc['errorType'] };
}

function parseJsonOut(s: string): Record<string, unknown> | null {
  if (s.trim() === '') return null;
  try {
    return JSON.parse(s) as Record<string, unknown>;
  } catch {
    return null;
  }
}

// ---- deep diff --------------------------------------------------------------------------------------

function diff(real: unknown, sim: unknown, path: string, out: string[]): void {
  if (out.length > 40) return;
  if (Object.is(real, sim)) return;
  if (Array.isArray(real) && Array.isArray(sim)) {
    for (let i = 0; i < Math.max(real.length, sim.length); i++) diff(real[i], sim[i], `${path}[${i}]`, out);
    return;
  }
  if (real && sim && typeof real === 'object' && typeof sim === 'object' && !Array.isArray(real) && !Array.isArray(sim)) {
    const keys = new Set([...Object.keys(real), ...Object.keys(sim)]);
    for (const k of keys) diff((real as Record<string, unknown>)[k], (sim as Record<string, unknown>)[k], `${path}.${k}`, out);
    return;
  }
  out.push(`${path}: real=${JSON.stringify(real)} sim=${JSON.stringify(sim)}`);
}

// ---- building the simulated system ------------------------------------------------------------------

function setupSystem(args: string): SimSystem {
  const a = Object.fromEntries(args.trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  const fstype = a['fstype'] === 'xfs' ? 'xfs' : 'ext4';
  // util-linux in the VM prints an empty "loopdevices" array when nothing is bound.
  let s = simpleSystem({ fstype, vgFreeBytes: VG_FREE_BYTES, losetupEmptyList: 'empty-array' });
  if (a['vg'] === 'full') s = addLv(s, 'vg0', 'filler', VG_FREE_BYTES, { fstype: 'none' });
  // test/real/scenarios/thin.sh: a thin pool with the thin origin `data` (mounted), `other`, and the user's
  // thin snapshot `data-mine` (lvm2's default activation-skip flag, so inactive).
  if (a['thin'] === '1') {
    s = addThinPool(s, 'vg0', 'pool', 160 * MiB);
    s = addThinLv(s, 'vg0', 'data', 'pool', 256 * MiB, { fstype, mountpoint: '/mnt/data' });
    s = addThinLv(s, 'vg0', 'other', 'pool', 128 * MiB, { fstype: 'none' });
    s = exec(s, ['lvcreate', '--yes', '--snapshot', '--name', 'data-mine', 'vg0/data']).system;
  }
  // test/real/scenarios/cowdev.sh: the spare second virtio disk (/dev/vdb is 254:16), empty.
  if (a['cowdev'] !== undefined) s = addDisk(s, COWDEV, 254, 16, Number(a['cowdev']) * MiB);
  return s;
}

const COWDEV = '/dev/vdb';
const SPARE_MNT = '/mnt/spare';
/** test/real/scenarios/cowdev.sh: the UUID of the other VG's PV on the spare disk. */
const OTHER_VG_PV_UUID = 'cowdev-othr-vgpv-0000-0000-0000-000000';

function applyEvent(s: SimSystem, event: string): SimSystem {
  switch (event.trim()) {
    case 'foreign-lv':
      return addLv(s, 'vg0', 'root-lvmsnap', 8 * MiB, { fstype: 'none' });
    case 'foreign-file':
      return addFile(s, TMPF, MiB);
    case 'foreign-loop':
      return exec(addFile(s, OTHERF, 16 * MiB), C.losetupAttachArgv('/dev/loop0', OTHERF)).system;
    case 'foreign-mount':
      return addFilesystem(exec(s, C.mkdirArgv(MNT)).system, {
        id: 'foreign', source: 'tmpfs', fstype: 'tmpfs', majMin: '0:60', sizeBytes: MiB, baseUsed: 0, volatile: true, fallocate: true, rootIno: 1,
      }, MNT, 'rw,relatime,size=1024k,inode64', false);
    // The VM powers off with everything in place and boots again (vgchange -ay, fstab mounts).
    case 'reboot':
      return drift.reboot(s);
    // After recovery the administrator runs vgchange -ay and mounts the origin again.
    case 'activate': {
      const active = exec(s, ['lvchange', '--activate', 'y', 'vg0/root']).system;
      const mounted = parseFindmnt(exec(active, C.findmntArgv()).result.stdout).some((m) => m.target === '/mnt/root');
      if (mounted) return active;
      const r = exec(active, C.mountArgv('ext4', 'rw', '/dev/vg0/root', '/mnt/root')); // the reboot scenario's origin is ext4
      if (r.result.exitCode !== 0) throw new Error(`differential: activate: mount failed in the model: ${r.result.stderr}`);
      return r.system;
    }
    // test/real/scenarios/boot-recovery.sh: someone else's loop PV in vg0 (lost at the power loss too).
    case 'foreign-pv': {
      let next = addFile(s, OTHERF, 16 * MiB);
      for (const argv of [C.losetupAttachArgv('/dev/loop1', OTHERF), C.pvcreateArgv('/dev/loop1', FOREIGN_PV_UUID), C.vgextendArgv('vg0', '/dev/loop1')]) {
        const r = exec(next, argv);
        if (r.result.exitCode !== 0) throw new Error(`differential: foreign-pv: ${argv.join(' ')} failed in the model: ${r.result.stderr}`);
        next = r.system;
      }
      return next;
    }
    // An LV lvmsnap did not create on the free extent of lvmsnap's loop PV (the only free one in vg0).
    case 'foreign-lv-on-loop-pv':
      return addLv(s, 'vg0', 'foreign', 4 * MiB, { fstype: 'none' });
    // A power loss, then the initramfs script: it refused (then the boot activated what LVM would),
    // or it removed lvmsnap's snapshot and missing PV and activated the VG.
    case 'initramfs-boot refused':
      return drift.reboot(s);
    case 'initramfs-boot repaired': {
      let next = drift.reboot(s);
      for (const argv of [C.lvremoveArgv('vg0', 'root-lvmsnap'), C.vgreduceMissingArgv('vg0'), C.lvActivateArgv('vg0', 'root')]) {
        const r = exec(next, argv);
        if (r.result.exitCode !== 0) throw new Error(`differential: initramfs-boot: ${argv.join(' ')} failed in the model: ${r.result.stderr}`);
        next = r.system;
      }
      return next;
    }
    // test/real/scenarios/cowdev.sh: foreign signatures on the spare disk, and wiping them again.
    case 'cowdev-ext4':
      return edit(s, { disks: { [COWDEV]: setFields(s.disks[COWDEV]!, { fstype: 'ext4' }) } });
    case 'cowdev-mount': {
      const d = s.disks[COWDEV]!;
      return addFilesystem(s, {
        id: 'spare', source: COWDEV, fstype: 'ext4', majMin: `${d.major}:${d.minor}`, sizeBytes: 32 * MiB, baseUsed: 0, volatile: false, fallocate: true, rootIno: 2,
      }, SPARE_MNT, 'rw,relatime', false);
    }
    case 'cowdev-other-vg': {
      const wiped = drift.unmount(s, SPARE_MNT);
      const withVg = addVg(edit(wiped, { disks: { [COWDEV]: setFields(wiped.disks[COWDEV]!, { fstype: null }) } }), 'other', [COWDEV]);
      // The scenario's pvcreate gives the PV a fixed UUID (the report shows it).
      return produce(withVg, (d) => {
        const old = d.disks[COWDEV]!.label!;
        d.pvs[OTHER_VG_PV_UUID] = { ...d.pvs[old]!, uuid: OTHER_VG_PV_UUID };
        delete d.pvs[old];
        d.disks[COWDEV]!.label = OTHER_VG_PV_UUID;
      });
    }
    case 'cowdev-wipe': {
      const pv = s.disks[COWDEV]!.label;
      return produce(s, (d) => {
        delete d.vgs['other'];
        if (pv) delete d.pvs[pv];
        d.disks[COWDEV] = { ...d.disks[COWDEV]!, label: null, fstype: null };
      });
    }
    default:
      throw new Error(`differential: unknown event "${event.trim()}"`);
  }
}

// ---- replay --------------------------------------------------------------------------------------------

interface Outcome { readonly name: string; readonly problems: string[]; readonly runs: number }

class Replayer {
  private readonly done = new Map<string, { system: SimSystem; outcome: Outcome }>();
  constructor(private readonly traces: Map<string, string>) {}

  async replay(name: string): Promise<{ system: SimSystem; outcome: Outcome }> {
    const cached = this.done.get(name);
    if (cached) return cached;
    const dir = this.traces.get(name);
    if (!dir) throw new Error(`differential: no trace named ${name}`);
    const problems: string[] = [];
    let runs = 0;
    let system: SimSystem | null = null;
    const cont = read(join(dir, 'continues'))?.trim();
    if (cont) system = (await this.replay(cont)).system;
    for (const step of stepsOf(dir)) {
      const where = `${name}/${step.n}`;
      if (step.kind === 'setup') {
        system = setupSystem(read(join(step.dir, 'args')) ?? '');
        this.compareState(where, step, system, problems);
      } else if (step.kind === 'event') {
        if (!system) throw new Error(`${where}: event before setup`);
        system = applyEvent(system, read(join(step.dir, 'args')) ?? '');
        this.compareState(where, step, system, problems);
      } else if (step.kind === 'cli') {
        if (!system) throw new Error(`${where}: CLI run before setup`);
        system = await this.cli(where, step, system, problems);
        runs++;
      }
    }
    const outcome = { name, problems, runs };
    const r = { system: system!, outcome };
    this.done.set(name, r);
    return r;
  }

  private compareState(where: string, step: Step, sim: SimSystem, problems: string[]): void {
    const raw = realRaw(join(step.dir, 'state'));
    if (!raw) return;
    const d: string[] = [];
    try {
      diff(summarize(raw), summarize(simRaw(sim, raw.kernel !== null)), 'state', d);
    } catch (err) {
      d.push(`cannot summarize: ${(err as Error).message}`);
    }
    for (const x of d) problems.push(`${where} ${x}`);
  }

  private async cli(where: string, step: Step, system: SimSystem, problems: string[]): Promise<SimSystem> {
    const argv = (read(join(step.dir, 'argv')) ?? '').split('\0').slice(0, -1);
    const kill = (read(join(step.dir, 'kill')) ?? '').trim();
    const rc = Number((read(join(step.dir, 'rc')) ?? '').trim());
    const realOut = read(join(step.dir, 'stdout')) ?? '';
    const realCmds = shimLog(join(step.dir, 'cmds'));
    const say = (msg: string) => problems.push(`${where} (${[...(kill ? [`KILL_AFTER=${kill}`] : []), ...argv].join(' ')}): ${msg}`);

    let start = system;
    // Another run held the lock on purpose: a live simulated process holds it here too.
    let holder: SimHost | null = null;
    if (existsSync(join(step.dir, 'lockheld'))) {
      holder = new SimHost(system);
      await holder.lock(LOCK);
      start = holder.system;
    }
    // The real CLI starts an lvm shell before reading its arguments for an apply (src/host-real-prefetch.ts).
    // The executable with its native add-on (the package) unmounts and detaches without a process (src/native/).
    const nativeAddon = existsSync(join(step.dir, 'native'));
    const host = new SimHost(start, { ...(kill ? { crashAfterMutating: Number(kill) } : {}), earlyLvmShell: wantsPrefetch(argv, {}), nativeAddon });
    let simOut = '';
    const code = await main(argv, {
      stdout: (s) => { simOut += s; },
      stderr: () => {},
      host,
      deps: { rehearse },
      version: '0.1.0',
    });
    holder?.kill();

    // 1. killed or exit code
    const realKilled = rc === 137;
    if (realKilled !== host.crashed) say(`real ${realKilled ? 'was killed (137)' : `exited ${rc}`}, sim ${host.crashed ? 'crashed' : `exited ${code}`}`);
    else if (!realKilled && rc !== code) say(`exit code: real=${rc} sim=${code}`);

    // 2. mutating commands, in order, with exit codes
    //    "> " marks a command that went through an lvm shell (real: the shim's line; sim: inShell).
    const realMut = realCmds.filter((c) => !READ_ONLY(c.argv)).map((c) => `${c.inShell ? '> ' : ''}${line(c.argv)} => ${c.exitCode}`);
    //    Commands the real host answers without a process (mkdir/rmdir/rm: src/in-process/; umount and
    //    losetup --detach with the native add-on) are not in the shim's log: they are compared through --json below.
    const simMut = host.calls.filter((c) => c.op === 'run' && c.mutating && !c.inProcess).map((c) => `${c.inShell ? '> ' : ''}${line(c.argv)} => ${c.exitCode}`);
    const realShells = realCmds.filter((c) => !c.inShell && line(c.argv) === 'lvm').length;
    const simShells = host.calls.filter((c) => c.op === 'lvmShell').length;
    if (realShells !== simShells) say(`lvm shell processes: real=${realShells} sim=${simShells}`);
    if (line(realMut) !== line(simMut)) {
      say('mutating commands differ:');
      for (let i = 0; i < Math.max(realMut.length, simMut.length); i++)
        if (realMut[i] !== simMut[i]) problems.push(`    #${i + 1} real: ${realMut[i] ?? '(none)'}\n        sim:  ${simMut[i] ?? '(none)'}`);
    }

    // 3. the real --json commands list against what really ran
    const realDoc = parseJsonOut(realOut);
    if (realDoc && Array.isArray(realDoc['commands'])) {
      const listed = (realDoc['commands'] as { argv: string[]; mutating: boolean; exitCode: number; inProcess?: true }[]);
      // The lvm shell process and its lastlog lines are how commands ran, not commands of their own.
      // A shell line of an `lvm SUBCOMMAND` (fullreport) is listed with its leading lvm, as it would be forked.
      const ran = realCmds.filter((c) => !(c.inShell ? c.argv[0] === 'lastlog' : line(c.argv) === 'lvm'))
        .map((c) => (c.inShell && isShellReport(['lvm', ...c.argv]) ? `lvm ${line(c.argv)}` : line(c.argv))).sort();
      const said = listed.filter((c) => !c.inProcess).map((c) => line(c.argv)).sort();
      if (line(ran) !== line(said)) say(`--json commands are not what ran: json=${JSON.stringify(said)} shim=${JSON.stringify(ran)}`);
      // In-process commands: real --json against the simulator's, in order, with exit codes.
      const realIn = listed.filter((c) => c.inProcess).map((c) => `${line(c.argv)} => ${c.exitCode}`);
      const simIn = host.calls.filter((c) => c.op === 'run' && c.inProcess).map((c) => `${line(c.argv)} => ${c.exitCode}`);
      if (!realKilled && line(realIn) !== line(simIn)) say(`in-process commands differ: real=${JSON.stringify(realIn)} sim=${JSON.stringify(simIn)}`);
      for (const c of listed) {
        if (c.mutating === READ_ONLY(c.argv)) say(`--json marks "${line(c.argv)}" mutating:${c.mutating}`);
      }
    }

    // 4. --json documents
    const simDoc = parseJsonOut(simOut);
    if (argv.includes('--json') && !realKilled) {
      if (!realDoc) say(`real stdout is not JSON: ${realOut.slice(0, 200)}`);
      else if (!simDoc) say(`sim stdout is not JSON: ${simOut.slice(0, 200)}`);
      else {
        const d: string[] = [];
        diff(normJson(realDoc), normJson(simDoc), 'json', d);
        for (const x of d) say(x);
      }
    }

    // 5. end state
    const raw = realRaw(join(step.dir, 'state'));
    if (raw) {
      const d: string[] = [];
      try {
        diff(summarize(raw), summarize(simRaw(host.system, raw.kernel !== null)), 'state', d);
      } catch (err) {
        d.push(`cannot summarize: ${(err as Error).message}`);
      }
      for (const x of d) say(x);
    }
    return host.system;
  }
}

async function run(results: string): Promise<number> {
  const traces = findTraces(results);
  const replayer = new Replayer(traces);
  const rows: string[] = [];
  let failed = 0;
  let runs = 0;
  for (const name of [...traces.keys()].sort()) {
    let outcome: Outcome;
    try {
      outcome = (await replayer.replay(name)).outcome;
    } catch (err) {
      outcome = { name, problems: [`replay failed: ${(err as Error).stack ?? String(err)}`], runs: 0 };
    }
    runs += outcome.runs;
    if (outcome.runs === 0 && outcome.problems.length === 0) continue; // setup-only traces
    const ok = outcome.problems.length === 0;
    if (!ok) failed++;
    console.log(`${ok ? 'PASS' : 'FAIL'} diff:${name} (${outcome.runs} CLI runs replayed)`);
    for (const p of outcome.problems.slice(0, 60)) console.log(`    ${p}`);
    if (outcome.problems.length > 60) console.log(`    ... ${outcome.problems.length - 60} more`);
    rows.push(`diff:${name}\t${ok ? 'PASS' : 'FAIL'}\t\t${ok ? '' : outcome.problems[0]!.split('\n')[0]!.replace(/\t/g, ' ')}`);
  }
  writeFileSync(join(results, 'differential.tsv'), rows.map((r) => `${r}\n`).join(''));
  console.log(`differential: ${rows.length - failed} scenarios agree with the simulator, ${failed} differ (${runs} CLI runs replayed)`);
  return failed === 0 && rows.length > 0 ? 0 : 1;
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --import tsx test/real/differential.ts RESULTS_DIR');
  process.exit(2);
}
process.exitCode = await run(dir);
