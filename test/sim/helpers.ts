// Shared helpers of the simulator tests: run argv lists against a system and insist on outcomes.
import { expect } from 'vitest';
import * as C from '../../src/commands.js';
import { exec, type ExecResult, type SimSystem } from '../../src/sim/model.js';

export const MIB = 1024 * 1024;
export const TMP = '/var/space/extra.tmp';
export const TMP_BYTES = 68 * MIB;
export const SNAP = 'root_snap';

/** Run each argv in turn; every one must exit 0. */
export function runOk(s: SimSystem, ...argvs: string[][]): SimSystem {
  return argvs.reduce((acc, argv) => {
    const { system, result } = exec(acc, argv);
    expect(result, `${argv.join(' ')}\n${result.stderr}`).toMatchObject({ exitCode: 0 });
    return system;
  }, s);
}

/** Run argv expecting failure; returns the result and the (possibly changed) system. */
export function runFail(s: SimSystem, argv: string[], code?: number): { system: SimSystem; result: ExecResult } {
  const out = exec(s, argv);
  expect(out.result.exitCode, `${argv.join(' ')} should fail\n${out.result.stdout}`).not.toBe(0);
  if (code !== undefined) expect(out.result.exitCode).toBe(code);
  return out;
}

export const report = (s: SimSystem): any => JSON.parse(exec(s, C.fullreportArgv()).result.stdout);

/** The forward sequence lvmsnap runs for a loop-backed snapshot mounted at /media/snap. */
export const forward = (fstype = 'ext4', opts = 'ro,noload'): string[][] => [
  C.fallocateArgv(TMP, TMP_BYTES),
  C.losetupAttachArgv('/dev/loop0', TMP),
  C.vgextendArgv('vg0', '/dev/loop0'),
  C.pvTagArgv('/dev/loop0', SNAP),
  C.lvcreateSnapshotArgv('vg0', 'root', SNAP, 60 * MIB, '/dev/loop0'),
  C.mkdirArgv('/media/snap'),
  C.mountArgv(fstype, opts, `/dev/vg0/${SNAP}`, '/media/snap'),
];

export const reverse = (): string[][] => [
  C.umountArgv('/media/snap'),
  C.rmdirArgv('/media/snap'),
  C.lvremoveArgv('vg0', SNAP),
  C.vgreduceArgv('vg0', '/dev/loop0'),
  C.losetupDetachArgv('/dev/loop0'),
  C.rmFileArgv(TMP),
];
