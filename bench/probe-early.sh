#!/usr/bin/env bash
# Exploratory: present/absent walls in one boot, rotating order each round: the bare sequence, the
# executable EXE, the same EXE listed a second time (what a difference of nothing looks like), and
# BASE_EXE (another build's executable); then per-round paired differences (new-base, again-base,
# new-again: median and how many rounds were faster), which separate two builds far better than medians.
#   test/real/vm.sh bench/probe-early.sh CLI ROUNDS EXE BASE_EXE
# EXE or BASE_EXE may be a directory holding the launcher as `lvmsnap` and the executable as `lvmsnap-engine`
# (and its native add-on as `lvmsnap-sys.node`, copied when there is one).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
CLI=$1 ROUNDS=${2:-5} EXE=$3 BASE=$4
out=/tmp/probe; mkdir -p $out
# Into the guest's tmpfs (not read over 9p at every start); a launcher with its engine beside it.
place() {
	if [[ -d $1 ]]; then
		mkdir -p "$2.d" && cp -- "$1/lvmsnap" "$1/lvmsnap-engine" "$2.d/" && ln -sf "$2.d/lvmsnap" "$2"
		[[ ! -f $1/lvmsnap-sys.node ]] || cp -- "$1/lvmsnap-sys.node" "$2.d/"
	else cp -- "$1" "$2"; fi
}
place "$EXE" /tmp/exe-new; place "$BASE" /tmp/exe-base
/tmp/exe-new apply --state present "${TARGET[@]}" --json >$out/p.json; /tmp/exe-new apply --state absent "${TARGET[@]}" --json >$out/a.json
for k in p a; do { echo 'set -e'; jq -r '.commands[] | select(.mutating) | .argv | select(.[0] != "pvchange") | map(@sh) | join(" ")' $out/$k.json; } >$out/bare-$k.sh; done
/tmp/exe-base --version >/dev/null; node -e 0
run() { # VARIANT STATE
	case $1 in
	bare) bash $out/bare-${2:0:1}.sh >/dev/null 2>&1 ;;
	new) /tmp/exe-new apply --state $2 "${TARGET[@]}" >/dev/null 2>&1 ;;
	again) /tmp/exe-new apply --state $2 "${TARGET[@]}" >/dev/null 2>&1 ;;
	base) /tmp/exe-base apply --state $2 "${TARGET[@]}" >/dev/null 2>&1 ;;
	esac
}
V=(bare new again base)
for ((i = 0; i < ROUNDS; i++)); do
	for ((j = 0; j < 4; j++)); do
		v=${V[$(((i + j) % 4))]}
		for s in present absent; do
			now_us t0; run $v $s || echo "FAILED $v $s" >&2; now_us t1
			echo "$v $s $(((t1 - t0) / 1000))" >>$out/w
		done
	done
	now_us t0; node -e 0; now_us t1; echo "node0 - $(((t1 - t0) / 1000))" >>$out/w
done
awk '{k=$1" "$2; v[k]=v[k]" "$3} END{for(k in v) print k, v[k]}' $out/w | sort | while read -r a b vals; do
	printf '%-8s %-8s median %5s   %s\n' $a $b "$(tr ' ' '\n' <<<"$vals" | grep . | sort -n | awk '{x[NR]=$1} END{print x[int((NR+1)/2)]}')" "$vals"
done
echo "--- paired per round (ms): median difference, rounds faster"
node -e '
const rows = require("fs").readFileSync("/tmp/probe/w", "utf8").trim().split("\n").map((l) => l.split(" "));
const by = {};
for (const [v, s, ms] of rows) ((by[s] ??= {})[v] ??= []).push(Number(ms));
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[Math.floor((b.length - 1) / 2)]; };
for (const s of ["present", "absent"]) for (const [a, b] of [["new", "base"], ["again", "base"], ["new", "again"], ["new", "bare"], ["base", "bare"]]) {
  const d = by[s][a].map((x, i) => x - by[s][b][i]);
  console.log(`${s.padEnd(8)} ${a}-${b}`.padEnd(24), `median ${med(d)}`.padEnd(14), `${d.filter((x) => x < 0).length}/${d.length} rounds faster`,
    b === "bare" ? `ratio of medians ${(med(by[s][a]) / med(by[s].bare)).toFixed(2)}x, median of per-round ratios ${med(by[s][a].map((x, i) => x / by[s].bare[i])).toFixed(2)}x` : "");
}'
