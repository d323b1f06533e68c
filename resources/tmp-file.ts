// TmpFile: the regular file that lends copy-on-write space. Ours only if the journal recorded it before
// it was created (and, once known, its device and inode still match).
//
// Ownership invariant (holds after every single step, so in every crash window). The journal's tmpFile
// record is in one of three states:
//   none                   no file of lvmsnap's is at the path: anything there is foreign.
//   intent {path}          written while the path did not exist, before lvmsnap creates the file: a file
//                          at the path is lvmsnap's (created after the intent), none means not created yet.
//   identity {path,dev,ino} only the file with this dev/ino is lvmsnap's; any other file is foreign.
//                          With no file at the path the record is stale (our file was removed by an
//                          interrupted absent or by someone else): nothing is ours there any more.
// So lvmsnap creates a file only when the journal holds a bare intent for the path, written after the
// path was observed missing: a stale identity is replaced by a fresh intent first (otherwise a crash
// between the allocation and recordFileIdentity leaves our new file under the old identity, foreign to
// us forever). Identity is only ever recorded from a stat of a file that is ours under intent, and is
// dropped only when the file was observed missing, never while a file exists: an existing file thus
// never moves from foreign to ours. Residual risk, accepted: under a bare intent, a file someone else
// puts at the path before lvmsnap's allocation runs is indistinguishable from ours (dd has conv=excl,
// fallocate has no exclusive mode).
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
    const record: Step = { type: 'recordFileIdentity', path };
    const intent: Step = { type: 'journal', set: { tmpFile: { path } } };
    // Absent: no file, or one this plan removes first (a rebuild); either way no record survives.
    if (v.status === 'absent') return [intent, allocate, record];
    // Partial: the journal names the path. No file: make sure the record is a bare intent before the
    // allocation (a stale identity is replaced, see the invariant above).
    const rec = f.snap.journal?.tmpFile;
    if (!st) return rec?.ino === undefined && rec?.dev === undefined ? [allocate, record] : [intent, allocate, record];
    // Our file under a bare intent: a complete one only needs its identity recorded; a short one
    // (interrupted zero fill) is redone.
    if (st.size >= bytes) return [record];
    return [exec(rmFileArgv(path)), allocate, record];
  },
  destroy(f, v) {
    const path = f.target.tmpFile!;
    const steps: Step[] = [];
    if (f.snap.paths[path]) steps.push(exec(rmFileArgv(path)));
    if (v.status !== 'absent') steps.push({ type: 'journal', set: {}, clear: ['tmpFile'] });
    return steps;
  },
};
