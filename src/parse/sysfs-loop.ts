// Parses the kernel's view of the loop devices (/sys/block/loopN, read by the host port as raw file
// contents) into the bound devices `losetup --list` listed and the free ones `losetup --find` picks from.
// The loop/ directory (backing_file, offset, sizelimit, autoclear, ...) exists only while a device is bound.
import type { SysfsLoop } from '../port.js';
import type { ObservedLoop } from '../types.js';
import { fail, toInt } from './util.js';

const CMD = '/sys/block/loop*';
const DELETED = ' (deleted)';

/** A bound loop device with the binding's details (beyond what the planner needs). */
export interface SysfsLoopInfo extends ObservedLoop {
  readonly majMin: string;
  /** Size of the block device in bytes (the kernel counts 512-byte sectors). */
  readonly sizeBytes: number;
  readonly offset: number;
  /** 0 means no limit: the device ends where the file does. */
  readonly sizeLimit: number;
  /** Detached by the kernel on last close (`mount -o loop` sets it; lvmsnap does not). */
  readonly autoclear: boolean;
}

export interface SysfsLoops {
  /** Bound devices, by device number. */
  readonly bound: readonly SysfsLoopInfo[];
  /** Unbound devices ("/dev/loopN"), lowest number first: the kernel's LOOP_CTL_GET_FREE picks the first. */
  readonly free: readonly string[];
}

/** One sysfs value: the kernel ends each with a single newline. */
const value = (text: string): string => (text.endsWith('\n') ? text.slice(0, -1) : text);

function field(l: SysfsLoop, file: string): string {
  const v = l.files[file];
  if (v === undefined) fail(CMD, `${l.name}: ${file} is missing`, l.files);
  return value(v);
}

const numberOf = (name: string): number => Number(/^loop(\d+)$/.exec(name)![1]);

export function parseSysfsLoops(entries: readonly SysfsLoop[]): SysfsLoops {
  const bound: SysfsLoopInfo[] = [];
  const free: string[] = [];
  const sorted = entries
    .map((l) => {
      if (!/^loop\d+$/.test(l.name)) fail(CMD, `unexpected device name "${l.name}"`, l.name);
      return l;
    })
    .sort((a, b) => numberOf(a.name) - numberOf(b.name));
  for (const l of sorted) {
    const name = `/dev/${l.name}`;
    const majMin = field(l, 'dev');
    if (!/^\d+:\d+$/.test(majMin)) fail(CMD, `${l.name}/dev is not MAJ:MIN`, majMin);
    const isBound = Object.keys(l.files).some((k) => k.startsWith('loop/'));
    if (!isBound) {
      free.push(name);
      continue;
    }
    const file = field(l, 'loop/backing_file');
    const deleted = file.endsWith(DELETED);
    bound.push({
      name,
      backFile: deleted ? file.slice(0, -DELETED.length) : file,
      backFileDeleted: deleted,
      majMin,
      sizeBytes: toInt(CMD, `${l.name}/size`, field(l, 'size')) * 512,
      offset: toInt(CMD, `${l.name}/loop/offset`, field(l, 'loop/offset')),
      sizeLimit: toInt(CMD, `${l.name}/loop/sizelimit`, field(l, 'loop/sizelimit')),
      autoclear: field(l, 'loop/autoclear') === '1',
    });
  }
  return { bound, free };
}
