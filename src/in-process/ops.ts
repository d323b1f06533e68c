// src/in-process/ owns the commands the host runs without a process: mkdir, rmdir and rm of a single
// path, exactly in the argv shapes of src/commands.ts (mkdirArgv, rmdirArgv, rmFileArgv). Each is one
// system call (mkdir(2), rmdir(2), unlink(2)); a process start for it costs 0.1-0.7 s under QEMU/TCG.
// They stay exec steps of the plan (so --check, the simulator and the crash matrix see them unchanged);
// the real host answers them like coreutils would (exit 1, the same message) and --json marks them
// "inProcess": true. Pure: which argv qualifies and what coreutils prints; the calls are host-real.ts's.

export type InProcessOp = { readonly op: 'mkdir' | 'rmdir' | 'unlink'; readonly tool: 'mkdir' | 'rmdir' | 'rm'; readonly path: string };

/** The operation of argv when it is one of the in-process shapes (`TOOL -- PATH`), else null. */
export function inProcessOp(argv: readonly string[]): InProcessOp | null {
  if (argv.length !== 3 || argv[1] !== '--' || argv[2] === '' || argv[2] === undefined) return null;
  const path = argv[2];
  switch (argv[0]) {
    case 'mkdir': return { op: 'mkdir', tool: 'mkdir', path };
    case 'rmdir': return { op: 'rmdir', tool: 'rmdir', path };
    case 'rm': return { op: 'unlink', tool: 'rm', path };
    default: return null;
  }
}

/** strerror(3) of the errors these calls meet (glibc's wording, as coreutils prints it). */
const STRERROR: Readonly<Record<string, string>> = {
  EEXIST: 'File exists', ENOENT: 'No such file or directory', ENOTEMPTY: 'Directory not empty', EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory', EACCES: 'Permission denied', EPERM: 'Operation not permitted', EBUSY: 'Device or resource busy',
  EROFS: 'Read-only file system', ENOSPC: 'No space left on device', ENAMETOOLONG: 'File name too long', ELOOP: 'Too many levels of symbolic links',
  EINVAL: 'Invalid argument', EIO: 'Input/output error',
};

/** What coreutils prints when the call fails with errno `code` (the exit status is 1). */
export function inProcessError(op: InProcessOp, code: string): string {
  const why = STRERROR[code] ?? code;
  switch (op.op) {
    case 'mkdir': return `mkdir: cannot create directory '${op.path}': ${why}\n`;
    case 'rmdir': return `rmdir: failed to remove '${op.path}': ${why}\n`;
    case 'unlink': return `rm: cannot remove '${op.path}': ${why}\n`;
  }
}

/**
 * A command the native add-on can carry out without a process (src/native/sys.c): `umount -- PATH` and
 * `losetup --detach /dev/loopN`, in the shapes of src/commands.ts (umountArgv, losetupDetachArgv). Unlike
 * the coreutils ones above, a failed call is not answered here: the tool runs and says why.
 */
export type NativeOp = { readonly op: 'umount'; readonly path: string } | { readonly op: 'loopDetach'; readonly device: string };

export function nativeOp(argv: readonly string[]): NativeOp | null {
  if (argv.length !== 3) return null;
  const [tool, flag, arg] = argv as [string, string, string];
  if (tool === 'umount' && flag === '--' && arg.startsWith('/')) return { op: 'umount', path: arg };
  if (tool === 'losetup' && flag === '--detach' && /^\/dev\/loop\d+$/.test(arg)) return { op: 'loopDetach', device: arg };
  return null;
}
