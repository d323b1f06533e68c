#!/usr/bin/env bash
# npm run test:real — the real-LVM tier, host side.
#
# Builds the CLI once (a private copy, so a concurrent `npm run build` cannot change it mid-run) and
# the command recorder (test/real/shim.c), runs every scenario of test/real/suite.sh in five QEMU
# boots (three lanes in parallel, one vCPU each; two of the boots are the reboot scenario), then
# replays every scenario on the simulator (test/real/differential.ts). Prints one line
# per unit, a summary "N passed, M failed", and exits non-zero on any failure. A VM that cannot run
# prints "REAL-LVM TIER CANNOT RUN" and fails the tier: it is never skipped.
#
# Environment:
#   LVMSNAP_REAL_RESULTS=DIR     where results go (default test/real/.work/results/<time>)
#   LVMSNAP_REAL_LANE_A / _B / _C  override the scenario specs of a lane (space separated)
#   LVMSNAP_REAL_NO_REBOOT=1     skip the two reboot boots (development only: counts as a failure)
#   LVMSNAP_VM_TIMEOUT           per VM boot (default here 900 s)
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
export LVMSNAP_VM_TIMEOUT=${LVMSNAP_VM_TIMEOUT:-900}

say() { printf '[test:real] %s\n' "$*"; }
elapsed() { echo $(($(date +%s) - T0)); }
# shellcheck source=test/real/host-lib.sh
source "$HERE/host-lib.sh"

# Three lanes, one VM each (lane c then does the two reboot boots). The crash matrix, the bulk, is
# split by k. Three single-vCPU guests on two cores: the guests' work is sequential and CPU-bound,
# and on a shared machine more threads get the tier a fairer share.
LANE_A=${LVMSNAP_REAL_LANE_A:-"crash:tmp:1:4 basic:ext4:tmp basic:xfs:free foreign:lv foreign:file"}
LANE_B=${LVMSNAP_REAL_LANE_B:-"crash:tmp:5:8 basic:xfs:tmp foreign:loop foreign:mount lock"}
LANE_C=${LVMSNAP_REAL_LANE_C:-"crash:tmp:9:0 basic:ext4:free bad-input"}

# ---- build once ----------------------------------------------------------------------------------
command -v jq >/dev/null || cannot_run "jq is needed (the guest uses the host's)"
say "building the CLI and the command recorder (results: $RESULTS)"
prepare_cli "$RESULTS/build.log"
prepare_shim

# ---- VM jobs -------------------------------------------------------------------------------------
# vm_job NAME [VAR=VALUE...] -- SUITE-ARGS...: one boot; output prefixed live and kept in NAME.log.
vm_job() {
	local name=$1 rc=0
	shift
	local envs=()
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	mkdir -p "$RESULTS/$name"
	env LVMSNAP_VM_CPUS=1 LVMSNAP_VM_OUT_DIR="$RESULTS/$name" "${envs[@]}" \
		"$HERE/vm.sh" "$HERE/suite.sh" --shim "$SHIM" --cli "$CLI_BIN" "$@" \
		> >(tee "$RESULTS/$name.log" | sed -u "s/^/[$name] /") 2>&1 || rc=$?
	echo "$rc" >"$RESULTS/$name.rc"
	return "$rc"
}

lane_a() {
	# shellcheck disable=SC2086 # specs are words
	vm_job a -- $LANE_A
}

lane_b() {
	# shellcheck disable=SC2086
	vm_job b -- $LANE_B
}

lane_c() {
	# shellcheck disable=SC2086
	vm_job c -- $LANE_C
	[[ ${LVMSNAP_REAL_NO_REBOOT:-0} == 1 ]] && return 0
	local disks=$RESULTS/reboot-disks
	mkdir -p "$disks"
	rm -f "$disks"/*.img
	vm_job reboot-1 LVMSNAP_VM_DISK="$disks/vda.img" LVMSNAP_VM_DISK2="$disks/vdb.img" LVMSNAP_VM_DISK2_SIZE=64M -- reboot-1
	vm_job reboot-2 LVMSNAP_VM_DISK="$disks/vda.img" LVMSNAP_VM_DISK2="$disks/vdb.img" LVMSNAP_VM_DISK2_SIZE=64M -- \
		--prev "$RESULTS/reboot-1" reboot-2
	rm -rf "$disks"
}

say "lane a: $LANE_A"
say "lane b: $LANE_B"
say "lane c: $LANE_C, then reboot (2 boots)"
lane_a &
PID_A=$!
lane_b &
PID_B=$!
lane_c &
PID_C=$!
wait "$PID_A" "$PID_B" "$PID_C"
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
		VM_PROBLEMS+=("vm:$name	FAIL		VM boot failed with status $rc ($(grep -m1 -E 'REAL-LVM (VM TIMEOUT|VM FAILURE)' "$RESULTS/$name.log" || echo 'see log'))")
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
say "VM scenarios took ${T_VM}s, the whole tier $(elapsed)s; results in $RESULTS"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0 && PASSED > 0))
}
