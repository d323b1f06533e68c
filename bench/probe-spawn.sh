#!/usr/bin/env bash
# Exploratory: what one spawned process costs from node (the executable's heap vs plain node) against bash,
# in the VM. test/real/vm.sh bench/probe-spawn.sh CLI ROUNDS EXE
set -uo pipefail
CLI=$1 ROUNDS=${2:-5} EXE=$3
cp -- "$EXE" /tmp/lvmsnap-exe
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
cat >/tmp/sp.js <<'JS'
const { spawnSync, spawn } = require('child_process');
const n = 10, t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) spawnSync('/bin/true', [], { stdio: 'ignore' });
const t1 = process.hrtime.bigint();
let k = 0;
const next = () => { if (k++ === n) { const t2 = process.hrtime.bigint(); console.log(`node spawnSync ${Number(t1 - t0) / 1e6 / n} ms, spawn ${Number(t2 - t1) / 1e6 / n} ms`); return; } spawn('/bin/true', [], { stdio: 'ignore' }).on('exit', next); };
next();
JS
cat >/tmp/big.js <<'JS'
// the same after growing the heap to ~100 MB (the executable's size class)
globalThis.keep = Array.from({ length: 200 }, () => Buffer.alloc(512 * 1024, 1));
require('/tmp/sp.js');
JS
for ((i = 1; i <= ROUNDS; i++)); do
	now_us t0; for j in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done; now_us t1; echo "bash fork+exec $(((t1 - t0) / 10000)) ms"
	node /tmp/sp.js
	node /tmp/big.js | sed 's/^/big: /'
	now_us t0; node -e 0; now_us t1; echo "node -e 0 $(((t1 - t0) / 1000)) ms"
	now_us t0; /tmp/lvmsnap-exe --version >/dev/null; now_us t1; echo "exe --version $(((t1 - t0) / 1000)) ms"
done
grep -E "^(VmRSS|VmSize)" /proc/self/status
