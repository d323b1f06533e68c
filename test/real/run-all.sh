#!/usr/bin/env bash
# npm run test:real — the real-LVM tier, host side.
#
# Builds the CLI once (a private copy, so a concurrent `npm run build` cannot change it mid-run) and
# the command recorder (test/real/shim.c), runs every item of test/real/tier.json in QEMU boots packed
# into parallel lanes by their measured cost (test/real/schedule.ts, test/real/timings.json), then
# replays every scenario on the simulator (test/real/differential.ts). Prints one line per unit, each
# boot's duration and its margin to its timeout, a summary "N passed, M failed", and exits non-zero
# on any failure. A boot killed at its timeout says which unit and step it was in; the units it
# finished still count. A VM that cannot run prints "REAL-LVM TIER CANNOT RUN" and fails the tier:
# it is never skipped.
#
# Environment:
#   LVMSNAP_REAL_RESULTS=DIR       where results go (default test/real/.work/results/<time>)
#   LVMSNAP_REAL_LANES=N           lanes in parallel (default: tier.json)
#   LVMSNAP_REAL_TIER=FILE         run another tier file (a subset while developing a scenario)
#   LVMSNAP_REAL_UPDATE_TIMINGS=1  write this run's measured durations into test/real/timings.json
#   LVMSNAP_REAL_NO_REBOOT=1       skip the reboot boots (development only: counts as a failure)
#   LVMSNAP_VM_TIMEOUT             force one timeout for every boot (default: 3x its measured duration)
#   LVMSNAP_CI_OTHER_S             seconds .ci/run spent before the tier (recorded with the timings)
set -uo pipefail
# The whole script is one compound command, parsed before it runs: editing this file during a
# run cannot change the running instance.
{

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
WORK=${LVMSNAP_VM_CACHE_DIR:-$HERE/.work}
cd "$REPO" || exit 2

T0=$(date +%s)
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=${LVMSNAP_REAL_RESULTS:-$WORK/results/$STAMP}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)

say() { printf '[test:real] %s\n' "$*"; }
elapsed() { echo $(($(date +%s) - T0)); }
# shellcheck source=test/real/host-lib.sh
source "$HERE/host-lib.sh"

# Lanes: test/real/schedule.ts packs the items of tier.json into lanes by their measured cost
# (timings.json) and gives every boot a timeout of 3x its expected duration. Lanes run in parallel,
# one single-vCPU guest each: the guests' work is sequential and CPU-bound.
# ---- build once ----------------------------------------------------------------------------------
command -v jq >/dev/null || cannot_run "jq is needed (the guest uses the host's)"
say "building the CLI and the command recorder (results: $RESULTS)"
prepare_cli "$RESULTS/build.log"
prepare_shim
# The deb scenario installs the package built from this checkout (executable + .deb, ~1-3 min of CPU).
DEB=
if jq -e '.specs | index("deb")' "${LVMSNAP_REAL_TIER:-$HERE/tier.json}" >/dev/null; then
	say "building the self-contained executable and the .deb for the deb scenario"
	prepare_deb "$RESULTS/package.log"
fi

# ---- VM jobs -------------------------------------------------------------------------------------
SCHEDULE=$(node --import tsx "$HERE/schedule.ts" plan) || cannot_run "test/real/schedule.ts plan failed"
[[ -n ${LVMSNAP_VM_TIMEOUT:-} ]] && say "LVMSNAP_VM_TIMEOUT=$LVMSNAP_VM_TIMEOUT overrides every boot's measured timeout"

# vm_job NAME TIMEOUT EXPECTED [VAR=VALUE...] -- SUITE-ARGS...: one boot; output prefixed live and
# kept in NAME.log; NAME.boot gets "SECONDS TIMEOUT EXPECTED RC".
vm_job() {
	local name=$1 timeout=$2 expected=$3 rc=0 t0
	shift 3
	local envs=()
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	timeout=${LVMSNAP_VM_TIMEOUT:-$timeout}
	mkdir -p "$RESULTS/$name"
	t0=$(date +%s)
	env LVMSNAP_VM_CPUS=1 LVMSNAP_VM_OUT_DIR="$RESULTS/$name" LVMSNAP_VM_TIMEOUT="$timeout" "${envs[@]}" \
		"$HERE/vm.sh" "$HERE/suite.sh" --shim "$SHIM" --cli "$CLI_BIN" ${DEB:+--deb "$DEB"} "$@" \
		> >(tee "$RESULTS/$name.log" | sed -u "s/^/[$name] /") 2>&1 || rc=$?
	echo "$rc" >"$RESULTS/$name.rc"
	echo "$(($(date +%s) - t0)) $timeout $expected $rc" >"$RESULTS/$name.boot"
	if ((rc == 124)); then
		# Killed at its timeout: say where it was (the units that finished are in results.tsv and count).
		{
			printf '[%s] KILLED after %ss (timeout %ss, expected %ss). It was at:\n' "$name" "$timeout" "$timeout" "$expected"
			sed "s/^/[$name]   /" "$RESULTS/$name/progress" 2>/dev/null || echo "[$name]   (no progress file: the guest never started the suite)"
			printf '[%s] finished units: %s\n' "$name" "$(awk -F'\t' '{ printf "%s%s(%s) ", $1, ($2 == "PASS" ? "" : " FAIL"), $3 }' "$RESULTS/$name/results.tsv" 2>/dev/null)"
		} | tee "$RESULTS/$name.where"
	fi
	return "$rc"
}

# Extra vm.sh environment and suite arguments of a sequence's boot (boots that share persistent disks).
seq_reboot() { # BOOT -> prints VAR=VALUE... -- SUITE-ARGS...
	local disks=$RESULTS/reboot-disks
	case $1 in
	reboot-1) mkdir -p "$disks" && rm -f "$disks"/*.img ;;
	esac
	printf '%s\n' "LVMSNAP_VM_DISK=$disks/vda.img" "LVMSNAP_VM_DISK2=$disks/vdb.img" LVMSNAP_VM_DISK2_SIZE=64M --
	[[ $1 == reboot-2 ]] && printf '%s\n' --prev "$RESULTS/reboot-1"
	printf '%s\n' "$1"
}

# The shutdown guard (scenarios/guard.sh): boot 1 with systemd as PID 1 ends in `systemctl poweroff`,
# boot 2 (busybox) checks the kept disks.
seq_guard() { # BOOT -> prints VAR=VALUE... -- SUITE-ARGS...
	local disks=$RESULTS/guard-disks
	case $1 in
	guard-1) mkdir -p "$disks" && rm -f "$disks"/*.img && printf '%s\n' LVMSNAP_VM_INIT=systemd ;;
	esac
	printf '%s\n' "LVMSNAP_VM_DISK=$disks/vda.img" "LVMSNAP_VM_DISK2=$disks/vdb.img" LVMSNAP_VM_DISK2_SIZE=64M --
	[[ $1 == guard-2 ]] && printf '%s\n' --prev "$RESULTS/guard-1"
	printf '%s\n' "$1"
}

# run_lane LANE: its boots one after another, as the schedule says.
run_lane() {
	local lane=$1 l boot timeout expected seq specs args
	while read -r l boot timeout expected seq specs; do
		[[ $l == "$lane" ]] || continue
		if [[ $seq == - ]]; then
			# cowdev needs a spare second disk; other boots get none.
			local disk2=()
			[[ " $specs " == *" cowdev "* ]] && disk2=(LVMSNAP_VM_DISK2_SIZE=64M)
			# shellcheck disable=SC2086 # specs are words
			vm_job "$boot" "$timeout" "$expected" "${disk2[@]}" -- $specs
		else
			[[ $seq == reboot && ${LVMSNAP_REAL_NO_REBOOT:-0} == 1 ]] && continue
			mapfile -t args < <("seq_$seq" "$boot")
			vm_job "$boot" "$timeout" "$expected" "${args[@]}"
		fi
	done <<<"$SCHEDULE"
}

LANES=$(awk '{ print $1 }' <<<"$SCHEDULE" | sort -u)
PIDS=()
for lane in $LANES; do
	say "lane $lane: $(awk -v l="$lane" '$1 == l { printf "%s[%ss, timeout %ss]: %s; ", $2, $4, $3, ($5 == "-" ? substr($0, index($0, $6)) : "sequence " $5) }' <<<"$SCHEDULE")"
	run_lane "$lane" &
	PIDS+=($!)
done
wait "${PIDS[@]}"
T_VM=$(elapsed)

# ---- what the VMs said -----------------------------------------------------------------------------
VM_PROBLEMS=()
for rcf in "$RESULTS"/*.rc; do
	name=$(basename "$rcf" .rc)
	rc=$(<"$rcf")
	if grep -q 'REAL-LVM TIER CANNOT RUN' "$RESULTS/$name.log" 2>/dev/null; then
		printf '\n%s\n' "$(grep -m1 'REAL-LVM TIER CANNOT RUN' "$RESULTS/$name.log")" >&2
		cannot_run "VM boot $name could not run (see $RESULTS/$name.log)"
	fi
	# 0: all passed, 1: some unit failed (counted below); anything else: the boot itself failed.
	if ((rc != 0 && rc != 1)); then
		VM_PROBLEMS+=("vm:$name	FAIL		VM boot failed with status $rc ($(grep -m1 -E 'REAL-LVM (VM TIMEOUT|VM FAILURE)' "$RESULTS/$name.log" || echo 'see log'))$([[ -s $RESULTS/$name.where ]] && printf '; it was at: %s' "$(sed -n 2,3p "$RESULTS/$name.where" | sed 's/^\[[^]]*\] *//' | tr '\n' ' ')")")
	fi
	[[ -s $RESULTS/$name/results.tsv ]] || VM_PROBLEMS+=("vm:$name	FAIL		no unit results from VM boot $name")
done

# ---- differential ----------------------------------------------------------------------------------
say "replaying every scenario on the simulator (test/real/differential.ts)"
node --import tsx "$HERE/differential.ts" "$RESULTS" 2>&1 | tee "$RESULTS/differential.log"
[[ ${PIPESTATUS[0]} == 0 ]] || [[ -s $RESULTS/differential.tsv ]] ||
	VM_PROBLEMS+=("differential	FAIL		differential.ts failed (see $RESULTS/differential.log)")

# ---- summary ---------------------------------------------------------------------------------------
{
	cat "$RESULTS"/*/results.tsv 2>/dev/null
	cat "$RESULTS/differential.tsv" 2>/dev/null
	((${#VM_PROBLEMS[@]})) && printf '%s\n' "${VM_PROBLEMS[@]}"
	[[ ${LVMSNAP_REAL_NO_REBOOT:-0} == 1 ]] && printf 'reboot\tFAIL\t\tskipped (LVMSNAP_REAL_NO_REBOOT=1)\n'
} >"$RESULTS/summary.tsv"
PASSED=$(awk -F'\t' '$2 == "PASS"' "$RESULTS/summary.tsv" | wc -l)
FAILED=$(awk -F'\t' '$2 == "FAIL"' "$RESULTS/summary.tsv" | wc -l)
echo
if ((FAILED)); then
	say "failures:"
	awk -F'\t' '$2 == "FAIL" { printf "  FAIL %s: %s\n", $1, $4 }' "$RESULTS/summary.tsv"
fi
grep -h '^FINDING:' "$RESULTS"/reboot-*.log 2>/dev/null | sed 's/^/  /'
echo "$(elapsed) $T_VM ${LVMSNAP_CI_OTHER_S:-}" >"$RESULTS/tier.time"
node --import tsx "$HERE/schedule.ts" report "$RESULTS" || say "WARNING: the duration report failed"
if [[ ${LVMSNAP_REAL_UPDATE_TIMINGS:-0} == 1 ]]; then node --import tsx "$HERE/schedule.ts" update "$RESULTS"; fi
say "VM scenarios took ${T_VM}s, the whole tier $(elapsed)s; results in $RESULTS"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0 && PASSED > 0))
}
