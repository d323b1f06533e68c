// src/native/ owns lvmsnap's native add-on (src/native/sys.c): this file finds and loads it, for the real
// host (src/host-real.ts), its only user. Only the self-contained executable has one, beside itself (the
// .deb's /usr/libexec/lvmsnap/lvmsnap-sys.node); the npm install runs on a Node it was not built for, and
// spawns the tools as before.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The add-on's calls: each returns 0 or the errno, and changes nothing when it fails. */
export interface NativeSys {
  umount(path: string): number;
  loopDetach(device: string): number;
}

export const NATIVE_FILE = 'lvmsnap-sys.node';

/** The add-on at `path`, or null when there is none there or it does not load (the tools run instead). */
export function loadNativeSys(path: string): NativeSys | null {
  try {
    const m = { exports: {} as Partial<NativeSys> };
    process.dlopen(m, path);
    const { umount, loopDetach } = m.exports;
    return typeof umount === 'function' && typeof loopDetach === 'function' ? { umount, loopDetach } : null;
  } catch {
    return null;
  }
}

/** node:sea's isSea(): Node 20 has that module from 20.12 on, and an older node is not our executable. */
function isSea(): boolean {
  try {
    // Required, not imported: a static import of node:sea would stop lvmsnap loading on Node 20.0-20.11.
    const sea = createRequire(process.execPath)('node:sea') as { isSea?: () => boolean };
    return sea.isSea?.() === true;
  } catch {
    return false;
  }
}

/** The add-on beside the self-contained executable; null for node running lvmsnap's bundle. */
export function bundledNativeSys(): NativeSys | null {
  return isSea() ? loadNativeSys(join(dirname(process.execPath), NATIVE_FILE)) : null;
}
