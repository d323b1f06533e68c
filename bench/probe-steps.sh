#!/usr/bin/env bash
# Exploratory, not part of bench:real: per-step times of present/absent, lvmsnap (the executable, --json's
# per-command ms) against the bare sequence with each command timed, alternating; then one strace -f of
# each lvmsnap run (process timeline). test/real/vm.sh bench/probe-steps.sh CLI ROUNDS EXE
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
CLI=$1 ROUNDS=${2:-5} EXE=$3
out=/tmp/probe; mkdir -p $out
cp -- "$EXE" /tmp/lvmsnap-exe; EXE=/tmp/lvmsnap-exe
$EXE apply --state present "${TARGET[@]}" --json >$out/p.json; $EXE apply --state absent "${TARGET[@]}" --json >$out/a.json
for k in p a; do jq -r '.commands[] | select(.mutating) | .argv | map(@sh) | join(" ")' $out/$k.json >$out/bare-$k.cmds; done
cat $out/bare-p.cmds $out/bare-a.cmds
node -e 0
step_bare() { # FILE -> lines "ms argv0"
	local t0 t1 line
	while IFS= read -r line; do now_us t0; eval "$line" >/dev/null 2>&1 || echo "FAILED $line" >&2; now_us t1; printf 'bare %s %s\n' "$(((t1 - t0) / 1000))" "${line%% *}"; done <"$1"
}
for ((i = 1; i <= ROUNDS; i++)); do
	for k in p a; do
		now_us t0; step_bare $out/bare-$k.cmds >>$out/steps; now_us t1; echo "bare $(((t1 - t0) / 1000)) TOTAL-$k" >>$out/steps
		[[ $k == a ]] || true
	done
	for k in present absent; do
		now_us t0; $EXE apply --state $k "${TARGET[@]}" --json >$out/r.json 2>/dev/null; now_us t1
		echo "exe $(((t1 - t0) / 1000)) TOTAL-${k:0:1}" >>$out/steps
		jq -r '.commands[] | "exe \(.ms) \(.argv[0])\(if .argv[0]=="lvm" then "-"+.argv[1] else "" end)"' $out/r.json >>$out/steps
	done
	now_us t0; node -e 0; now_us t1; echo "node0 $(((t1 - t0) / 1000)) node" >>$out/steps
done
echo "--- medians (who ms step)"
awk '{k=$1" "$3; v[k]=v[k]" "$2} END{for(k in v) print k, v[k]}' $out/steps | while read -r who step vals; do
	printf '%-6s %-22s %6s   %s\n' "$who" "$step" "$(tr ' ' '\n' <<<"$vals" | grep . | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')" "$vals"
done | sort
jq -c '.commands[] | [.argv[0], .argv[1], .ms, .mutating]' $out/r.json
echo "--- strace present / absent (execve, exit_group; relative)"
for k in present absent; do
	strace -f -r -e trace=execve,exit_group -e signal=none -o $out/st-$k $EXE apply --state $k "${TARGET[@]}" >/dev/null 2>&1
	echo "== $k"; grep -v "resumed\|+++" $out/st-$k | cut -c1-160
done
