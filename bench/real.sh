#!/usr/bin/env bash
# npm run bench:real — lvmsnap against the bare command sequence, side by side (issue 10):
#   1. on this host: `lvmsnap --help` vs a bare `node -e 0`, alternating;
#   2. in ONE QEMU boot (test/real/vm.sh): present / absent vs the bare sequence, a converged re-run,
#      status and `node -e 0`, alternating (bench/real-guest.sh).
# Ratios are only formed between figures of the same run (same host run, same boot).
#   BENCH_REAL_ROUNDS=5            rounds
#   BENCH_REAL_BASELINE=PATH       another build's bin/lvmsnap.cjs (e.g. the commit before a change),
#                                  timed in the same boot for present, absent, the no-op re-run and status
#   BENCH_REAL_EXE=1 (default)     also time the self-contained executable as the .deb installs it (npm run
#                                  package: the launcher dist/lvmsnap-launch running dist/lvmsnap) for
#                                  present, absent, the no-op and status
#   BENCH_REAL_LVM_SHELL=1         also time the chain's LVM commands forked vs through one lvm process
# Run VM boots one at a time (see test/real/README.md: the VM lock).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
HERE=$REPO/test/real
WORK=${LVMSNAP_VM_CACHE_DIR:-$HERE/.work}
ROUNDS=${BENCH_REAL_ROUNDS:-5}
# Five rounds of everything take long under TCG (and longer on a busy machine).
export LVMSNAP_VM_TIMEOUT=${LVMSNAP_VM_TIMEOUT:-3600}
# shellcheck source=test/real/host-lib.sh
source "$HERE/host-lib.sh"
prepare_cli

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ms_of() { # CMD... -> wall ms
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	echo $(((t1 - t0) / 1000))
}
node "$CLI_BIN" --help >/dev/null # warm the page cache
help=() bare=()
for ((i = 1; i <= ROUNDS; i++)); do
	if ((i % 2)); then
		help+=("$(ms_of node "$CLI_BIN" --help)") bare+=("$(ms_of node -e 0)")
	else
		bare+=("$(ms_of node -e 0)") help+=("$(ms_of node "$CLI_BIN" --help)")
	fi
done
H=$(printf '%s\n' "${help[@]}" | median) B=$(printf '%s\n' "${bare[@]}" | median)
HOST_LINE=$(awk -v h="$H" -v b="$B" -v n="$ROUNDS" 'BEGIN {
	r = h / b
	printf "bench: host (%s rounds, alternating, medians): lvmsnap --help %d ms, node -e 0 %d ms: %.2fx (goal <= 2x: %s)", n, h, b, r, (r <= 2) ? "MET" : "NOT MET" }')
echo "$HOST_LINE"

base=
if [[ -n ${BENCH_REAL_BASELINE:-} ]]; then
	# The guest sees the host's files but not its /tmp: copy the baseline build next to ours.
	src=$(cd "$(dirname "$BENCH_REAL_BASELINE")/.." && pwd -P)
	base_dir=$WORK/cli/baseline-$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$base_dir"
	cp -r "$src/dist" "$src/bin" "$base_dir/"
	base=$base_dir/bin/$(basename "$BENCH_REAL_BASELINE")
fi
exe=
if [[ ${BENCH_REAL_EXE:-1} == 1 ]]; then
	(cd "$REPO" && npm run package --silent) >/dev/null || { echo "bench: npm run package failed" >&2; exit 1; }
	# A private copy: a concurrent npm run package replaces dist/lvmsnap while the guest reads it.
	# As the .deb installs it: the launcher (dist/lvmsnap-launch) runs the executable beside it, which
	# finds its native add-on (dist/lvmsnap-sys.node) beside itself.
	exe_dir=$WORK/cli/lvmsnap-exe-$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$exe_dir"
	cp "$REPO/dist/lvmsnap-launch" "$exe_dir/lvmsnap"
	cp "$REPO/dist/lvmsnap" "$exe_dir/lvmsnap-engine"
	cp "$REPO/dist/lvmsnap-sys.node" "$exe_dir/lvmsnap-sys.node"
	exe=$exe_dir/lvmsnap
fi
"$HERE/vm.sh" "$REPO/bench/real-guest.sh" "$CLI_BIN" "$ROUNDS" "$base" "${BENCH_REAL_LVM_SHELL:-0}" "$exe"
[[ -z $exe ]] || rm -rf "$exe_dir"
echo
echo "$HOST_LINE"
