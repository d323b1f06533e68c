#!/usr/bin/env bash
# Guest side of `npm run bench:real` (bench/real.sh). In ONE boot, alternating round by round:
#   - lvmsnap `apply --state present` / `--state absent` (tmp-file chain, 64 MiB file, ext4 origin
#     mounted) against the bare command sequence: a plain shell script running exactly the changing
#     commands of the chain, with lvmsnap's own argv, without any check (the floor). The bare scripts
#     are made from the --json "commands" of a first (cold) lvmsnap run, leaving out what the
#     original script did not do either (pvchange --addtag: lvmsnap's PV tags for reboot recovery);
#   - a converged re-run (no-op absent), `status`, and `node -e 0` (a bare node start);
#   - optionally another lvmsnap build (BASELINE, e.g. the commit before a change) for present,
#     absent, the no-op absent and status, so a before/after holds within the boot;
#   - optionally the self-contained executable as the .deb installs it (EXE: the launcher
#     dist/lvmsnap-launch, with dist/lvmsnap beside it as lvmsnap-engine; the .deb's /usr/sbin/lvmsnap and
#     /usr/libexec/lvmsnap/lvmsnap; copied to the guest's tmpfs first) for present, absent, the no-op and status;
#   - optionally (LVM_SHELL=1) the LVM commands of present and absent as separate processes vs all
#     through one `lvm` process reading them on stdin (issue 10 item 4; see ../shared notes).
# Prints medians, ratios between figures of this boot only, and the goals of issue 10.
#   test/real/vm.sh bench/real-guest.sh CLI [ROUNDS] [BASELINE_CLI] [LVM_SHELL] [EXE]
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
export LVM_SUPPRESS_FD_WARNINGS=1
# shellcheck source=test/real/lib.sh
source "$REPO/test/real/lib.sh"
CLI=${1:?usage: real-guest.sh CLI [ROUNDS] [BASELINE_CLI] [LVM_SHELL]}
ROUNDS=${2:-5}
BASE=${3:-}
LVM_SHELL=${4:-0}
EXE=${5:-}
TRACE_ROOT=/tmp/bench-trace
scenario_begin bench
setup_system ext4 full >/dev/null
out=/tmp/bench
mkdir -p "$out"

TMP_FILE=/var/space/lvmsnap-cow.img
TARGET=(--vg vg0 --lv root --size 60M --tmp-file "$TMP_FILE" --tmp-file-size 64M --mountpoint /media/snap)
LVM_TOOLS='^(lvm|pvcreate|pvremove|vgextend|vgreduce|vgchange|pvchange|lvcreate|lvremove|lvchange|pvs|vgs|lvs)$'

die() { echo "bench: $*" >&2; exit 1; }
# Wall clock without forking (date would add a process to every figure).
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }

# lvmsnap NAME CLI ARGS... -> appends "ms commands lvm mutating readonly_ms" to $out/NAME.tsv
lvmsnap_timed() {
	local name=$1 cli=$2 t0 t1 rc=0
	shift 2
	local run=(node "$cli")
	[[ $cli == *.cjs ]] || run=("$cli") # the self-contained executable
	now_us t0
	"${run[@]}" "$@" --json >"$out/$name.json" 2>"$out/$name.err" || rc=$?
	now_us t1
	((rc == 0)) || { cat "$out/$name.err" >&2; die "lvmsnap $* exited $rc"; }
	jq -r --arg ms $(((t1 - t0) / 1000)) --arg re "$LVM_TOOLS" \
		'[$ms, (.commands // [] | length), ([.commands // [] | .[] | select(.argv[0] | test($re))] | length),
		  ([.commands // [] | .[] | select(.mutating)] | length),
		  ([.commands // [] | .[] | select(.mutating | not) | .ms] | add // 0)] | @tsv' "$out/$name.json" >>"$out/$name.tsv"
}

# plain NAME ARGV... -> appends ms to $out/NAME.tsv (fails loudly)
plain_timed() {
	local name=$1 t0 t1 rc=0
	shift
	now_us t0
	"$@" >"$out/$name.out" 2>&1 || rc=$?
	now_us t1
	((rc == 0)) || { cat "$out/$name.out" >&2; die "$* exited $rc"; }
	echo $(((t1 - t0) / 1000)) >>"$out/$name.tsv"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
med() { cut -f"${2:-1}" "$out/$1.tsv" | median; } # NAME [COLUMN]

# The changing commands of a run, as a shell script (argv quoted; pvchange --addtag left out).
bare_script() { # JSON SCRIPT
	{
		echo '#!/bin/bash'
		echo 'set -e'
		jq -r '.commands[] | select(.mutating) | .argv | select(.[0] != "pvchange") | map(@sh) | join(" ")' "$1"
	} >"$2"
	chmod +x "$2"
}

chain_absent() { [[ -z $(lvs --noheadings -o lv_name vg0/root-lvmsnap 2>/dev/null) && ! -e $TMP_FILE ]]; }
chain_present() { findmnt -rn /media/snap >/dev/null && [[ -n $(lvs --noheadings -o lv_name vg0/root-lvmsnap 2>/dev/null) ]]; }

echo "bench: lvmsnap $(node "$CLI" --version) on lvm2 $(lvm version | awk '/LVM version/ {print $3}'), kernel $(uname -r), $(nproc) vCPU(s) under TCG, node $(node --version)"
echo "bench: target ${TARGET[*]}; $ROUNDS rounds, alternating"

# Cold: node and the tools are read over 9p the first time. Also the source of the bare scripts.
lvmsnap_timed cold-present "$CLI" apply --state present "${TARGET[@]}"
chain_present || die "cold present did not build the chain"
lvmsnap_timed cold-absent "$CLI" apply --state absent "${TARGET[@]}"
chain_absent || die "cold absent did not remove the chain"
bare_script "$out/cold-present.json" "$out/bare-present.sh"
bare_script "$out/cold-absent.json" "$out/bare-absent.sh"
for k in present absent; do
	echo "bench: bare $k sequence (lvmsnap's changing commands without pvchange --addtag):"
	tail -n +3 "$out/bare-$k.sh" | sed 's/^/  /'
done
plain_timed cold-bare-present bash "$out/bare-present.sh"
chain_present || die "the bare present sequence did not build the chain"
plain_timed cold-bare-absent bash "$out/bare-absent.sh"
chain_absent || die "the bare absent sequence did not remove the chain"
node -e 0
if [[ -n $EXE ]]; then
	# The launcher, the executable it runs (lvmsnap-engine beside it) and the executable's native add-on
	# (lvmsnap-sys.node beside that), into the guest's tmpfs.
	mkdir -p /tmp/lvmsnap-exe.d
	cp -- "$EXE" "$(dirname "$EXE")/lvmsnap-engine" "$(dirname "$EXE")/lvmsnap-sys.node" /tmp/lvmsnap-exe.d/ ||
		die "cannot copy $EXE, its lvmsnap-engine and lvmsnap-sys.node into the guest"
	EXE=/tmp/lvmsnap-exe.d/lvmsnap
	"$EXE" status "${TARGET[@]}" >/dev/null 2>&1 || true
fi
[[ -z $BASE ]] || node "$BASE" status "${TARGET[@]}" >/dev/null 2>&1 || true

for ((i = 1; i <= ROUNDS; i++)); do
	pair_bare() {
		plain_timed bare-present bash "$out/bare-present.sh"
		chain_present || die "round $i: bare present did not build the chain"
		plain_timed bare-absent bash "$out/bare-absent.sh"
		chain_absent || die "round $i: bare absent did not remove the chain"
	}
	pair_lvmsnap() {
		lvmsnap_timed present "$CLI" apply --state present "${TARGET[@]}"
		chain_present || die "round $i: lvmsnap present did not build the chain"
		lvmsnap_timed absent "$CLI" apply --state absent "${TARGET[@]}"
		chain_absent || die "round $i: lvmsnap absent did not remove the chain"
		if [[ -n $BASE ]]; then
			lvmsnap_timed base-present "$BASE" apply --state present "${TARGET[@]}"
			chain_present || die "round $i: baseline present did not build the chain"
			lvmsnap_timed base-absent "$BASE" apply --state absent "${TARGET[@]}"
			chain_absent || die "round $i: baseline absent did not remove the chain"
		fi
		if [[ -n $EXE ]]; then
			lvmsnap_timed exe-present "$EXE" apply --state present "${TARGET[@]}"
			chain_present || die "round $i: the executable's present did not build the chain"
			lvmsnap_timed exe-absent "$EXE" apply --state absent "${TARGET[@]}"
			chain_absent || die "round $i: the executable's absent did not remove the chain"
		fi
	}
	fixed() {
		lvmsnap_timed noop "$CLI" apply --state absent "${TARGET[@]}"
		[[ $(jq -r .changed "$out/noop.json") == false ]] || die "round $i: the converged re-run changed something"
		lvmsnap_timed status "$CLI" status "${TARGET[@]}"
		plain_timed node0 node -e 0
		if [[ -n $BASE ]]; then
			lvmsnap_timed base-noop "$BASE" apply --state absent "${TARGET[@]}"
			lvmsnap_timed base-status "$BASE" status "${TARGET[@]}"
		fi
		if [[ -n $EXE ]]; then
			lvmsnap_timed exe-noop "$EXE" apply --state absent "${TARGET[@]}"
			[[ $(jq -r .changed "$out/exe-noop.json") == false ]] || die "round $i: the executable's converged re-run changed something"
			lvmsnap_timed exe-status "$EXE" status "${TARGET[@]}"
		fi
	}
	if ((i % 2)); then pair_bare; pair_lvmsnap; fixed; else fixed; pair_lvmsnap; pair_bare; fi
	echo "bench: round $i/$ROUNDS done"
done

if ((LVM_SHELL)); then
	# Issue 10 item 4: the chain's LVM commands, forked one by one vs through one `lvm` process.
	# Both build and remove the same chain; only the LVM part is timed.
	# Plain words: lvm's shell splits on blanks (these argv have none inside an argument).
	lvm_cmds() { # KIND -> the LVM argv lines of the cold run, in order
		jq -r --arg re "$LVM_TOOLS" '.commands[] | select(.mutating) | .argv | select(.[0] | test($re)) | join(" ")' "$out/cold-$1.json"
	}
	lvm_cmds present >"$out/lvm-present.txt"
	lvm_cmds absent >"$out/lvm-absent.txt"
	LOOP=$(jq -r '.commands[] | select(.mutating and .argv[0] == "losetup") | .argv[1]' "$out/cold-present.json")
	FILE_BYTES=$(jq -r '.commands[] | select(.mutating and .argv[0] == "fallocate") | .argv[2]' "$out/cold-present.json")
	[[ $LOOP == /dev/loop* && $FILE_BYTES =~ ^[0-9]+$ ]] || die "lvm-shell: cannot tell the loop device and file size of the cold run"
	prep_present() { fallocate --length "$FILE_BYTES" -- "$TMP_FILE" && losetup "$LOOP" -- "$TMP_FILE"; }
	for ((i = 1; i <= (ROUNDS < 3 ? ROUNDS : 3); i++)); do
		for mode in forked shell; do
			prep_present || die "lvm-shell: cannot prepare the loop device"
			for k in present absent; do
				if [[ $mode == forked ]]; then
					plain_timed "lvm-$mode-$k" bash -e "$out/lvm-$k.txt"
				else
					# lvm's shell takes one command per line without the leading "lvm"; its exit is 0 regardless.
					plain_timed "lvm-$mode-$k" lvm <"$out/lvm-$k.txt"
				fi
				if [[ $k == present ]]; then
					[[ -n $(lvs --noheadings -o lv_name vg0/root-lvmsnap 2>/dev/null) ]] || die "lvm-shell ($mode): no snapshot"
				fi
			done
			[[ -z $(lvs --noheadings -o lv_name vg0/root-lvmsnap 2>/dev/null) ]] || die "lvm-shell ($mode): snapshot left"
			[[ -z $(pvs --noheadings -o vg_name "$LOOP" 2>/dev/null | tr -d ' ') ]] || die "lvm-shell ($mode): $LOOP still in a VG"
			losetup --detach "$LOOP" && rm -f -- "$TMP_FILE"
		done
	done
fi

# Programs executed, counted by the kernel (every successful execve under the CLI, node included).
strace_programs() { # NAME ARGS...
	local name=$1
	shift
	mkdir -p "$out/$name"
	strace -ff -qq -e trace=execve -o "$out/$name/p" node "$CLI" "$@" >/dev/null 2>&1 || true
	cat "$out/$name"/p.* | grep -E '^execve\(.*\) = 0' | grep -o '^execve("[^"]*"' | sed 's/execve("//; s/"$//; s|.*/||'
}
if command -v strace >/dev/null; then
	for k in present absent; do
		strace_programs "strace-$k" apply --state "$k" "${TARGET[@]}" >"$out/strace-$k.txt"
		echo "bench: programs executed by apply --state $k: $(tr '\n' ' ' <"$out/strace-$k.txt")"
	done
	strace_programs strace-status status "${TARGET[@]}" >"$out/strace-status.txt"
	echo "bench: programs executed by status: $(tr '\n' ' ' <"$out/strace-status.txt")"
fi

# ---- report ---------------------------------------------------------------------------------------
s() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "MET" : "NOT MET" }'; }
P=$(med present) A=$(med absent) BP=$(med bare-present) BA=$(med bare-absent)
N=$(med noop) ST=$(med status) N0=$(med node0)
rp=$(awk -v a="$P" -v b="$BP" 'BEGIN { printf "%.2f", a / b }')
ra=$(awk -v a="$A" -v b="$BA" 'BEGIN { printf "%.2f", a / b }')
echo
echo "bench: medians of $ROUNDS rounds in this boot (cold runs excluded); ratios only between figures of this boot"
printf '%-34s %10s %12s %8s   %s\n' "" "bare seq." lvmsnap ratio "goal (issue 10)"
printf '%-34s %10s %12s %7sx   %s\n' "apply --state present" "$(s "$BP")" "$(s "$P")" "$rp" "<= 1.10x: $(verdict "$rp" 1.10)"
printf '%-34s %10s %12s %7sx   %s\n' "apply --state absent" "$(s "$BA")" "$(s "$A")" "$ra" "<= 1.10x: $(verdict "$ra" 1.10)"
printf '%-34s %10s %12s %8s   %s\n' "converged re-run (no-op absent)" "" "$(s "$N")" "+$(s $((N - N0)))" "<= 0.80 s above node -e 0: $(verdict $((N - N0)) 800)"
printf '%-34s %10s %12s %8s   %s\n' "status (no chain)" "" "$(s "$ST")" "+$(s $((ST - N0)))" "<= 0.80 s above node -e 0: $(verdict $((ST - N0)) 800)"
printf '%-34s %10s %12s\n' "node -e 0" "" "$(s "$N0")"
echo
echo "bench: per run (median): commands run (--json) / of them LVM / changing; time inside the read-only commands"
for k in present absent noop status; do
	printf '  %-8s %3s / %s / %s; read-only commands %s\n' "$k" "$(med "$k" 2)" "$(med "$k" 3)" "$(med "$k" 4)" "$(s "$(med "$k" 5)")"
done
if [[ -n $BASE ]]; then
	BN=$(med base-noop) BS=$(med base-status) BBP=$(med base-present) BBA=$(med base-absent)
	echo
	echo "bench: baseline build $BASE, same boot, same rounds:"
	printf '  %-34s %10s -> %s  (%s -> %s of the bare sequence)\n' "apply --state present" "$(s "$BBP")" "$(s "$P")" \
		"$(awk -v a="$BBP" -v b="$BP" 'BEGIN { printf "%.2fx", a / b }')" "${rp}x"
	printf '  %-34s %10s -> %s  (%s -> %s of the bare sequence)\n' "apply --state absent" "$(s "$BBA")" "$(s "$A")" \
		"$(awk -v a="$BBA" -v b="$BA" 'BEGIN { printf "%.2fx", a / b }')" "${ra}x"
	printf '  %-34s %10s -> %s  (commands %s -> %s; read-only commands %s -> %s)\n' "converged re-run (no-op absent)" "$(s "$BN")" "$(s "$N")" \
		"$(med base-noop 2)" "$(med noop 2)" "$(s "$(med base-noop 5)")" "$(s "$(med noop 5)")"
	printf '  %-34s %10s -> %s  (commands %s -> %s)\n' "status (no chain)" "$(s "$BS")" "$(s "$ST")" "$(med base-status 2)" "$(med status 2)"
	printf '  %-34s %10s -> %s\n' "above node -e 0 (no-op absent)" "$(s $((BN - N0)))" "$(s $((N - N0)))"
fi
if [[ -n $EXE ]]; then
	EP=$(med exe-present) EA=$(med exe-absent) EN=$(med exe-noop) ES=$(med exe-status)
	rep=$(awk -v a="$EP" -v b="$BP" 'BEGIN { printf "%.2f", a / b }')
	rea=$(awk -v a="$EA" -v b="$BA" 'BEGIN { printf "%.2f", a / b }')
	echo
	echo "bench: the self-contained executable as the .deb installs it (the launcher running dist/lvmsnap), same boot, same rounds:"
	printf '%-34s %10s %12s %8s   %s
' "" "bare seq." executable ratio "goal (issue 10)"
	printf '%-34s %10s %12s %7sx   %s
' "apply --state present" "$(s "$BP")" "$(s "$EP")" "$rep" "<= 1.10x: $(verdict "$rep" 1.10)"
	printf '%-34s %10s %12s %7sx   %s
' "apply --state absent" "$(s "$BA")" "$(s "$EA")" "$rea" "<= 1.10x: $(verdict "$rea" 1.10)"
	printf '%-34s %10s %12s %8s   %s\n' "converged re-run (no-op absent)" "" "$(s "$EN")" "+$(s $((EN - N0)))" "<= 0.80 s above node -e 0: $(verdict $((EN - N0)) 800)"
	printf '%-34s %10s %12s %8s   %s\n' "status (no chain)" "" "$(s "$ES")" "+$(s $((ES - N0)))" "<= 0.80 s above node -e 0: $(verdict $((ES - N0)) 800)"
fi
if ((LVM_SHELL)); then
	echo
	echo "bench: the chain's LVM commands (issue 10 item 4), forked one by one vs through one lvm process, medians of up to 3 rounds:"
	for k in present absent; do
		F=$(med "lvm-forked-$k") SH=$(med "lvm-shell-$k")
		printf '  %-8s %d commands: %s forked, %s through one lvm (saves %s, %s)\n' "$k" "$(grep -c . "$out/lvm-$k.txt")" \
			"$(s "$F")" "$(s "$SH")" "$(s $((F - SH)))" "$(awk -v a="$SH" -v b="$F" 'BEGIN { printf "%.2fx", a / b }')"
	done
fi
echo
echo "bench: per-command times of the last present (ms):"
jq -r '.commands[] | "  \(.ms | tostring | (" " * (6 - length)) + .)  \(if .mutating then "M" else " " end) \(.argv | join(" ") | gsub("\t"; "\\t") | gsub("\n"; "\\n"))"' "$out/present.json"
stop_writer
