#!/usr/bin/env bash
# Guest side of `npm run bench:real` (bench/real.sh): times `apply --state present` and
# `apply --state absent` of the real CLI (tmp-file chain, 64 MiB file, ext4 origin mounted) and
# counts the processes and LVM commands each spawns, against the original script's figures
# measured in the same kind of VM (lvm_snaphot.py: snapshot-mount 8.7 s, ~9 processes;
# snapshot-unmount 6.4 s, ~7 processes; about 0.5 s per LVM command under TCG).
#   test/real/vm.sh bench/real-guest.sh CLI [REPS]
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
export LVM_SUPPRESS_FD_WARNINGS=1
# shellcheck source=test/real/lib.sh
source "$REPO/test/real/lib.sh"
CLI=${1:?usage: real-guest.sh CLI [REPS]}
REPS=${2:-3}
TRACE_ROOT=/tmp/bench-trace
scenario_begin bench
setup_system ext4 full >/dev/null
out=/tmp/bench
mkdir -p "$out"

TARGET=(--vg vg0 --lv root --size 60M --tmp-file /var/space/lvmsnap-cow.img --tmp-file-size 64M --mountpoint /media/snap)
LVM_TOOLS='^(lvm|pvcreate|pvremove|vgextend|vgreduce|vgchange|pvchange|lvcreate|lvremove|lvchange|pvs|vgs|lvs)$'

# One timed run: wall ms, then from --json: commands, LVM commands, mutating, ms inside commands.
timed() { # NAME ARGS...
	local name=$1 t0 t1 rc=0
	shift
	t0=$(now_ms)
	node "$CLI" "$@" --json >"$out/$name.json" 2>"$out/$name.err" || rc=$?
	t1=$(now_ms)
	((rc == 0)) || { echo "bench: lvmsnap $* exited $rc" >&2; cat "$out/$name.err" >&2; exit 1; }
	jq -r --arg ms $((t1 - t0)) --arg re "$LVM_TOOLS" \
		'[$ms, (.commands | length), ([.commands[] | select(.argv[0] | test($re))] | length),
		  ([.commands[] | select(.mutating)] | length), ([.commands[].ms] | add // 0),
		  ([.commands[] | select(.argv[0] | test($re)) | .ms] | add // 0)] | @tsv' "$out/$name.json"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "bench: lvmsnap $(node "$CLI" --version) on lvm2 $(lvm version | awk '/LVM version/ {print $3}'), kernel $(uname -r), $(nproc) vCPU(s) under TCG"
echo "bench: target ${TARGET[*]}"
# Cold run first (node and the tools are read over 9p the first time), then REPS warm ones.
timed cold-present apply --state present "${TARGET[@]}" >"$out/cold-present.tsv"
timed cold-absent apply --state absent "${TARGET[@]}" >"$out/cold-absent.tsv"
: >"$out/present.tsv"
: >"$out/absent.tsv"
for ((i = 1; i <= REPS; i++)); do
	timed "present-$i" apply --state present "${TARGET[@]}" >>"$out/present.tsv"
	timed "absent-$i" apply --state absent "${TARGET[@]}" >>"$out/absent.tsv"
done
# A no-op for scale: the fixed cost of one run (node start + observation).
timed noop-absent apply --state absent "${TARGET[@]}" >"$out/noop.tsv"

# Processes, counted by the kernel: every successful execve under the CLI (node itself included).
# -ff writes one file per process, so concurrent execs are never split into unfinished/resumed lines.
strace_programs() { # NAME ARGS...
	local name=$1
	shift
	mkdir -p "$out/$name"
	strace -ff -qq -e trace=execve -o "$out/$name/p" node "$CLI" "$@" >/dev/null 2>&1 || true
	cat "$out/$name"/p.* | grep -E '^execve\(.*\) = 0' | grep -o '^execve("[^"]*"' | sed 's/execve("//; s/"$//; s|.*/||'
}
strace_programs strace-present apply --state present "${TARGET[@]}" >"$out/strace-present.txt"
strace_programs strace-absent apply --state absent "${TARGET[@]}" >"$out/strace-absent.txt"
P_PROCS=$(grep -c . "$out/strace-present.txt")
A_PROCS=$(grep -c . "$out/strace-absent.txt")
for f in strace-present strace-absent; do
	echo "bench: programs executed by $f: $(tr '\n' ' ' <"$out/$f.txt")"
done

col() { cut -f"$1" "$out/$2.tsv" | median; }
row() { # LABEL ORIG_S ORIG_PROCS KIND STRACE_PROCS
	local label=$1 os=$2 op=$3 kind=$4 sp=$5 ms cold cmds lvm inside lvmms
	ms=$(col 1 "$kind")
	cold=$(cut -f1 "$out/cold-$kind.tsv")
	cmds=$(col 2 "$kind")
	lvm=$(col 3 "$kind")
	inside=$(col 5 "$kind")
	lvmms=$(col 6 "$kind")
	awk -v l="$label" -v os="$os" -v op="$op" -v ms="$ms" -v cold="$cold" -v cmds="$cmds" -v lvm="$lvm" \
		-v inside="$inside" -v lvmms="$lvmms" -v sp="$sp" 'BEGIN {
		printf "%-26s %8.1f s %8.1f s %6.2fx %7.1f s %6d %6d %5s %6.2fx %4d %7.1f s %7.1f s %7.1f s\n",
			l, os, ms / 1000, (ms / 1000) / os, cold / 1000, cmds + 1, sp, "~" op, sp / op, lvm, lvm * 0.5, lvmms / 1000, inside / 1000 }'
}

echo
echo "bench: median of $REPS warm runs (cold = the first run of the boot); processes = commands + node;"
echo "bench: strace = successful execve() under the CLI; LVM = LVM commands; LVM est. = LVM x 0.5 s; LVM meas. = their"
echo "bench: measured time; in cmds = all command times summed (the read-only ones overlap, so it can exceed wall time)"
printf '%-26s %10s %10s %7s %9s %6s %6s %5s %7s %4s %9s %9s %9s\n' \
	"" original lvmsnap ratio cold procs strace orig ratio LVM "LVM est." "LVM meas." "in cmds"
row "present (snapshot-mount)" 8.7 9 present "$P_PROCS"
row "absent (snapshot-unmount)" 6.4 7 absent "$A_PROCS"
echo
awk -F'\t' '{ printf "bench: fixed cost of a run (no-op absent): %.1f s, %d read-only commands, %.1f s inside them\n", $1 / 1000, $2, $5 / 1000 }' "$out/noop.tsv"
echo "bench: per-command times of the last warm present (ms):"
jq -r '.commands[] | "  \(.ms | tostring | (" " * (6 - length)) + .)  \(if .mutating then "M" else " " end) \(.argv | join(" ") | gsub("\t"; "\\t") | gsub("\n"; "\\n"))"' "$out/present-$REPS.json"
stop_writer
