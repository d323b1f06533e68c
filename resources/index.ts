// The chain, in dependency order: present creates left to right, absent destroys right to left.
import { LoopDevice } from './loop-device.js';
import { Mountpoint } from './mountpoint.js';
import { PvInVg } from './pv-in-vg.js';
import type { Resource } from './resource.js';
import { Snapshot } from './snapshot.js';
import { TmpFile } from './tmp-file.js';

export const CHAIN: readonly Resource[] = [TmpFile, LoopDevice, PvInVg, Snapshot, Mountpoint];
export type { Resource } from './resource.js';
