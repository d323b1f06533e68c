// The engine's side of the launcher (src/launcher/launch.c): the lvm process the launcher forked before exec'ing
// Node, as a ChildProcess to the code that reads the early shell (src/host-real-prefetch.ts, RealLvmShell).
// It owns the four inherited pipe fds and the exit status. Part of the real host; it starts nothing.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';

/**
 * The inherited fd again, through /proc, opened close-on-exec (Node opens every fd so): inherited fds
 * are not, and lvm's stdin held by a later child (losetup, mount...) would keep lvm from seeing its end.
 */
function reopen(fd: number, flags: number): number {
  const again = openSync(`/proc/self/fd/${fd}`, flags);
  closeSync(fd);
  return again;
}

/** /proc/PID/stat's fields from the third (state) on: the second, comm, may hold spaces. null: no such process. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  } catch {
    return null;
  }
}

/**
 * lvm's exit as 'close' reports it: Node cannot wait for a process it did not spawn, but the kernel keeps a
 * child's status in /proc/PID/stat (field 52, in waitpid's form) from its exit on; it is set before the
 * process closes its fds, so it is there once all its pipes have ended. null when it cannot be read.
 */
export function exitStatus(pid: number): { code: number | null; signal: NodeJS.Signals | null } {
  const status = Number(statFields(pid)?.[52 - 3]);
  if (!Number.isInteger(status)) return { code: null, signal: null };
  const sig = status & 0x7f;
  if (sig === 0) return { code: (status >> 8) & 0xff, signal: null };
  const name = Object.entries(osConstants.signals).find(([, n]) => n === sig)?.[0];
  return { code: null, signal: (name ?? null) as NodeJS.Signals | null };
}

/** Whether PID is a child of this process (field 4, ppid) and the fds are none of its own stdio: the launcher's lvm. */
export function isLaunchedChild(pid: number, fds: readonly number[]): boolean {
  if (fds.some((fd) => fd < 3)) return false;
  return Number(statFields(pid)?.[4 - 3]) === process.pid;
}

/** stdin, stdout, stderr and the report fd of the launcher's lvm, as a spawned child's. */
export function adoptChild(pid: number, fds: readonly [number, number, number, number]): ChildProcess {
  const child = new EventEmitter() as EventEmitter & { pid: number; stdin: Socket; stdout: Socket; stderr: Socket; stdio: Socket[] };
  // All four reopened before any socket exists: a bad fd (not the launcher's) throws with nothing left open.
  const again: number[] = [];
  try {
    for (const [i, fd] of fds.entries()) again.push(reopen(fd, i === 0 ? constants.O_WRONLY : constants.O_RDONLY));
  } catch (err) {
    for (const fd of again) closeSync(fd);
    throw err;
  }
  const [inFd, ...outFds] = again as [number, number, number, number];
  const stdin = new Socket({ fd: inFd, readable: false, writable: true });
  const outs = outFds.map((fd) => new Socket({ fd, readable: true, writable: false }));
  child.pid = pid;
  child.stdin = stdin;
  [child.stdout, child.stderr] = outs as [Socket, Socket];
  child.stdio = [stdin, ...outs];
  // As a spawned child's 'close': once lvm's output pipes have all ended (it exited, or closed them).
  let open = outs.length;
  for (const s of outs) {
    s.on('error', () => { /* a read error ends the pipe as well */ });
    s.on('close', () => {
      if (--open > 0) return;
      const { code, signal } = exitStatus(pid);
      child.emit('exit', code, signal);
      child.emit('close', code, signal);
    });
  }
  return child as unknown as ChildProcess;
}
