#!/usr/bin/env bash
# Exploratory: V8 CPU profile (self time by function, top 40) of node CLI present and absent in the VM.
#   test/real/vm.sh bench/probe-prof.sh CLI ROUNDS EXE
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
CLI=$1
node "$CLI" apply --state present "${TARGET[@]}" >/dev/null; node "$CLI" apply --state absent "${TARGET[@]}" >/dev/null
cat >/tmp/sum.js <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const p = JSON.parse(fs.readFileSync(dir + '/' + fs.readdirSync(dir)[0]));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map(); let i = 0;
for (const s of p.samples) { const n = byId.get(s); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) || 0) + (p.timeDeltas[i++] || 0)); }
const tot = [...self.values()].reduce((a, b) => a + b, 0);
console.log('profile ms', (tot / 1000).toFixed(0), 'span', ((p.endTime - p.startTime) / 1000).toFixed(0));
[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40).forEach(([k, v]) => console.log((v / 1000).toFixed(1).padStart(7), k));
JS
for k in present absent present absent; do
	rm -rf /tmp/prof; node --cpu-prof --cpu-prof-dir=/tmp/prof --cpu-prof-interval 500 "$CLI" apply --state $k "${TARGET[@]}" >/dev/null
	echo "== $k"; node /tmp/sum.js /tmp/prof
done
