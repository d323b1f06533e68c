// LoopDevice: a loop device bound to lvmsnap's own tmp file. A device bound to any other file is foreign.
import { losetupAttachArgv, losetupDetachArgv } from '../src/commands.js';
import { exec, view, type Resource } from './resource.js';

export const LoopDevice: Resource = {
  kind: 'LoopDevice',
  observe(f) {
    const file = f.target.tmpFile;
    if (file === undefined) return view('LoopDevice', '-', 'unused');
    const id = f.loopName ?? '(first free loop device)';
    if (f.boundLoop) {
      const observed = { backFile: f.boundLoop.backFile };
      return f.tmpFileOurs
        ? view('LoopDevice', f.boundLoop.name, 'present', observed)
        : view('LoopDevice', f.boundLoop.name, 'foreign', observed, `${f.boundLoop.name} is bound to ${file}, which lvmsnap did not create`);
    }
    if (f.target.loopDevice) {
      const other = f.snap.loops.find((l) => l.name === f.target.loopDevice);
      if (other)
        return view('LoopDevice', id, 'foreign', { backFile: other.backFile }, `${other.name} is bound to ${other.backFile}, not to lvmsnap's ${file}`);
    }
    return view('LoopDevice', id, 'absent');
  },
  create(f) {
    return [exec(losetupAttachArgv(f.loopName!, f.target.tmpFile!))];
  },
  destroy(f) {
    return f.boundLoop ? [exec(losetupDetachArgv(f.boundLoop.name))] : [];
  },
};
