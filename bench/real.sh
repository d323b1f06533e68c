#!/usr/bin/env bash
# npm run bench:real — one QEMU boot (test/real/vm.sh, default vCPUs like the original measurement):
# times `apply --state present` / `apply --state absent` of the real CLI (tmp-file chain, 64 MiB,
# ext4) and counts the processes and LVM commands each spawns, with ratios against the original
# script's figures. See bench/real-guest.sh.
#   BENCH_REAL_REPS=3 (warm repetitions)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
HERE=$REPO/test/real
WORK=${LVMSNAP_VM_CACHE_DIR:-$HERE/.work}
# shellcheck source=test/real/host-lib.sh
source "$HERE/host-lib.sh"
prepare_cli
exec "$HERE/vm.sh" "$REPO/bench/real-guest.sh" "$CLI_BIN" "${BENCH_REAL_REPS:-3}"
