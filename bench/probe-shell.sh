#!/usr/bin/env bash
# Exploratory: what lvm's shell costs before and at its first command. Times (ms), alternating:
#   fork:    lvm fullreport (forked)
#   now:     shell spawned, the report line sent at once: spawn -> report object
#   warm:    shell spawned, line sent 1.5 s later: send -> report object (what an early start could hide)
#   second:  in the warm shell, a second report right after the first: send -> object
#   test/real/vm.sh bench/probe-shell.sh CLI ROUNDS EXE
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
ROUNDS=${2:-5}
node "$1" apply --state present "${TARGET[@]}" >/dev/null
cat >/tmp/sh.js <<'JS'
const { spawn, spawnSync } = require('child_process');
const FR = 'fullreport --units b --nosuffix --reportformat json --configreport vg -o vg_all --configreport pv -o pv_all --configreport lv -o lv_all --configreport pvseg -o pvseg_all,pv_uuid,lv_uuid --configreport seg -o seg_all,lv_uuid';
const env = { ...process.env, LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1', LVM_REPORT_FD: '3', LVM_COMMAND_PROFILE: 'lvmdbusd', LVM_LOG_FILE_MAX_LINES: '0', HOME: '/dev/null' };
const now = () => performance.now();
function shell() {
  const c = spawn('lvm', [], { stdio: ['pipe', 'ignore', 'ignore', 'pipe'], env });
  let want = 0, res = null, n = 0, depth = 0, str = false, esc = false;
  c.stdio[3].setEncoding('utf8');
  c.stdio[3].on('data', (s) => {
    for (const ch of s) {
      if (str) { if (esc) esc = false; else if (ch === '\\') esc = true; else if (ch === '"') str = false; }
      else if (ch === '"') str = true; else if (ch === '{') depth++; else if (ch === '}' && --depth === 0) n++;
    }
    if (res && n >= want) { const r = res; res = null; r(); }
  });
  return { c, send(line) { want++; c.stdin.write(line + '\n'); return new Promise((r) => { res = r; }); } };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
setTimeout(() => { console.log('TIMEOUT'); process.exit(2); }, 30000).unref();
(async () => {
  const out = {};
  let t = now(); spawnSync('lvm', FR.split(' '), { env: { ...process.env, LC_ALL: 'C' }, stdio: 'ignore' }); out.fork = now() - t;
  t = now(); const a = shell(); await a.send(FR); out.now = now() - t; a.c.stdin.end();
  const b = shell(); await sleep(1500); t = now(); await b.send(FR); out.warm = now() - t;
  t = now(); await b.send(FR); out.second = now() - t; b.c.stdin.end();
  console.log(Object.entries(out).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' '));
})();
JS
for ((i = 0; i < ROUNDS; i++)); do node /tmp/sh.js; done
