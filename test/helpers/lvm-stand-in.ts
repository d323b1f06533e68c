// A stand-in for lvm2's shell on PATH, for the early-shell tests (test/lvm-shell/prefetch.test.ts,
// test/launcher/launch.test.ts): it logs its start (with the environment lvmsnap gives it), every line
// and its end, answers each line with report n (so a test sees which report a run got), and exits with
// $LVM_EXIT. Its folder also holds etc/profile/lvmdbusd.profile (LVM_SYSTEM_DIR), without which no
// early shell starts.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The start line lvmsnap's environment for the shell gives (LC_ALL, the report fd, HOME). */
export const STAND_IN_START = 'start 0 LC_ALL=C LVM_REPORT_FD=3 HOME=/dev/null';

export function lvmStandIn(prefix: string): { dir: string; log: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'etc/profile'), { recursive: true });
  writeFileSync(join(dir, 'etc/profile/lvmdbusd.profile'), '');
  const log = join(dir, 'log');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'lvm'), [
    '#!/bin/sh',
    `echo "start $# LC_ALL=$LC_ALL LVM_REPORT_FD=$LVM_REPORT_FD HOME=$HOME" >>'${log}'`,
    'n=0',
    'while read -r line; do',
    `  n=$((n + 1)); echo "line $line" >>'${log}'`,
    '  printf \'{"report": [{"n": "%s"}], "log": [{"log_type": "status", "log_context": "shell", "log_ret_code": "1"}]}\\n\' "$n" >&3',
    'done',
    `echo end >>'${log}'`,
    'exit "${LVM_EXIT:-0}"',
  ].join('\n'));
  chmodSync(join(dir, 'lvm'), 0o755);
  return { dir, log, env: { PATH: `${dir}:${process.env['PATH'] ?? ''}`, LVM_SYSTEM_DIR: join(dir, 'etc') } };
}
