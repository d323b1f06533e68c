// losetup: list, find, attach, detach and --set-capacity (re-read the backing file's size). Detach follows modern kernels by default: a loop device still
// held open (by device-mapper, for an active LV on its PV) is only marked autoclear and goes away on
// last close; SimSystem.kernel.loopDetach = 'busy' makes such a detach fail with EBUSY instead.
import { edit, setFields } from './edit.js';
import { lookup } from './fsview.js';
import { fail, loopOpen, notModelled, ok, parseArgs, type ExecOutput } from './ops.js';
import { losetupFind, losetupList } from './report-host.js';
import { normPath, type SimSystem } from './state.js';

export function losetup(s: SimSystem, args: readonly string[]): ExecOutput {
  const argv = ['losetup', ...args];
  const p = parseArgs(args, ['--list', '--json', '--find', '-f'], ['--detach', '-d', '--set-capacity', '-c']);
  if (!p) return notModelled(s, argv);
  const flags = [...p.flags.keys()].sort().join(' ');
  if (flags === '--json --list' && p.pos.length === 0) return losetupList(s);
  if ((flags === '--find' || flags === '-f') && p.pos.length === 0) return losetupFind(s);
  const detach = p.flags.get('--detach') ?? p.flags.get('-d');
  if (detach && p.flags.size === 1 && p.pos.length === 0 && detach.length === 1) return detachLoop(s, detach[0]!);
  const cap = p.flags.get('--set-capacity') ?? p.flags.get('-c');
  if (cap && p.flags.size === 1 && p.pos.length === 0 && cap.length === 1) return setCapacity(s, cap[0]!);
  if (p.flags.size === 0 && p.pos.length === 2 && args[1] === '--') return attach(s, p.pos[0]!, p.pos[1]!);
  return notModelled(s, argv);
}

function attach(s: SimSystem, device: string, file: string): ExecOutput {
  const dev = normPath(device);
  const loop = s.loops[dev];
  if (!loop) return fail(s, 1, `losetup: ${device}: failed to set up loop device: No such file or directory\n`);
  if (loop.ino !== null) return fail(s, 1, `losetup: ${device}: failed to set up loop device: Device or resource busy\n`);
  const node = lookup(s, file);
  if (!node) return fail(s, 1, `losetup: ${file}: failed to set up loop device: No such file or directory\n`);
  if (node.type !== 'file') return fail(s, 1, `losetup: ${file}: failed to set up loop device: Invalid argument\n`);
  const path = normPath(file);
  return ok(edit(s, { loops: { [dev]: { ...loop, ino: node.ino, file: path, size: node.size, autoclear: false } } }));
}

/** LOOP_SET_CAPACITY: the device's size follows its (grown) file; nothing else changes. */
function setCapacity(s: SimSystem, device: string): ExecOutput {
  const dev = normPath(device);
  const loop = s.loops[dev];
  if (!loop || loop.ino === null) return fail(s, 1, `losetup: ${device}: set capacity failed: No such device or address\n`);
  const size = s.inodes[loop.ino]!.size;
  return ok(size === loop.size ? s : edit(s, { loops: { [dev]: setFields(loop, { size }) } }));
}

function detachLoop(s: SimSystem, device: string): ExecOutput {
  const dev = normPath(device);
  const loop = s.loops[dev];
  if (!loop || loop.ino === null) return fail(s, 1, `losetup: ${device}: detach failed: No such device or address\n`);
  if (loopOpen(s, dev)) {
    if (s.kernel.loopDetach === 'busy') return fail(s, 1, `losetup: ${device}: detach failed: Device or resource busy\n`);
    return ok(edit(s, { loops: { [dev]: setFields(loop, { autoclear: true }) } }));
  }
  return ok(edit(s, { loops: { [dev]: { ...loop, ino: null, file: null, size: 0, autoclear: false } } }));
}

/** Loop devices /dev/loop0..n-1, all free. */
export function freeLoops(n: number): SimSystem['loops'] {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [
    `/dev/loop${i}`, { name: `/dev/loop${i}`, minor: i, ino: null, file: null, size: 0, autoclear: false },
  ]));
}
