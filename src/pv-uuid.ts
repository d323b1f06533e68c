// A PV UUID derived from the target. vgextend cannot tag a PV, so between vgextend and pvchange a PV
// would carry no mark of ours; creating it with a known UUID closes that window (even if its loop device
// then vanishes, the missing PV is still recognisably ours).
import { createHash } from 'node:crypto';
import type { Target } from './types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GROUPS = [6, 4, 4, 4, 4, 4, 6];

/** A --cow-device PV's UUID leaves the device name out: disk names (/dev/sdb) can change across reboots. */
export function lvmsnapPvUuid(t: Pick<Target, 'vg' | 'snapshot' | 'tmpFile' | 'cowDevice'>): string {
  const source = t.tmpFile ?? (t.cowDevice !== undefined ? '\0cow-device' : '');
  const digest = createHash('sha256').update(`lvmsnap\0${t.vg}\0${t.snapshot}\0${source}`).digest();
  const chars = [...digest.subarray(0, 32)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  let at = 0;
  return GROUPS.map((n) => chars.slice(at, (at += n))).join('-');
}
