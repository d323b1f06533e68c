// TmpFile: the regular file that lends copy-on-write space. Ours only if the journal recorded it before
// it was created (and, once known, its device and inode still match).
import { fallocateArgv, rmFileArgv, zeroFillArgv } from '../src/commands.js';
import type { Facts } from '../src/facts.js';
import type { ResourceView, Step } from '../src/types.js';
import { exec, view, type Resource } from './resource.js';

/** Filesystems where fallocate reserves real blocks (so the file is never sparse). */
const FALLOCATE_FS = new Set(['ext4', 'xfs', 'btrfs', 'tmpfs', 'f2fs', 'ocfs2', 'gfs2']);

export function allocationMethod(f: Facts): 'fallocate' | 'zero' {
  if (f.target.allocate !== 'auto') return f.target.allocate;
  return f.snap.tmpFs && FALLOCATE_FS.has(f.snap.tmpFs.fstype) ? 'fallocate' : 'zero';
}

export const TmpFile: Resource = {
  kind: 'TmpFile',
  observe(f) {
    const path = f.target.tmpFile;
    if (path === undefined) return view('TmpFile', '-', 'unused');
    const st = f.snap.paths[path];
    const rec = f.snap.journal?.tmpFile;
    if (!st) {
      // Journal says we were about to create it: a crash left only the record behind.
      return rec?.path === path ? view('TmpFile', path, 'partial', null, 'journal records the file but it does not exist') : view('TmpFile', path, 'absent');
    }
    const observed = { type: st.type, size: st.size, dev: st.dev, ino: st.ino };
    if (!f.tmpFileOurs) return view('TmpFile', path, 'foreign', observed, `${path} exists and was not created by lvmsnap`);
    if (st.type !== 'file') return view('TmpFile', path, 'foreign', observed, `${path} is not a regular file`);
    if (rec?.ino === undefined) return view('TmpFile', path, 'partial', observed, 'created but identity not yet recorded');
    if (f.tmpFileBytes !== null && st.size < f.tmpFileBytes && !f.boundLoop)
      return view('TmpFile', path, 'degraded', observed, `size ${st.size} is below the needed ${f.tmpFileBytes}`);
    return view('TmpFile', path, 'present', observed);
  },
  create(f, v) {
    const path = f.target.tmpFile!;
    const bytes = f.tmpFileBytes!;
    const st = f.snap.paths[path];
    const allocate: Step =
      allocationMethod(f) === 'fallocate' ? exec(fallocateArgv(path, bytes)) : exec(zeroFillArgv(path, bytes), true);
    if (v.status === 'partial') {
      // The journal already names the file. A complete file only needs its identity recorded;
      // a short one (interrupted zero fill) is redone.
      if (!st) return [allocate, { type: 'recordFileIdentity', path }];
      if (st.size >= bytes) return [{ type: 'recordFileIdentity', path }];
      return [exec(rmFileArgv(path)), allocate, { type: 'recordFileIdentity', path }];
    }
    return [{ type: 'journal', set: { tmpFile: { path } } }, allocate, { type: 'recordFileIdentity', path }];
  },
  destroy(f, v) {
    const path = f.target.tmpFile!;
    const steps: Step[] = [];
    if (f.snap.paths[path]) steps.push(exec(rmFileArgv(path)));
    if (v.status !== 'absent') steps.push({ type: 'journal', set: {}, clear: ['tmpFile'] });
    return steps;
  },
};
