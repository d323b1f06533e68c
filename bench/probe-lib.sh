# shellcheck shell=bash
# The shared start of the exploratory guest probes (bench/probe-*.sh, run inside test/real/vm.sh): the
# real tier's helpers (test/real/lib.sh), a fresh system (ext4 origin vg0/root, full), the chain's target
# that every probe times, and a clock that does not fork. Sourced right after `set -uo pipefail`:
#   source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
export LVM_SUPPRESS_FD_WARNINGS=1
# shellcheck source=test/real/lib.sh
source "$REPO/test/real/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh and by the probes
TRACE_ROOT=/tmp/probe-trace
scenario_begin probe
setup_system ext4 full >/dev/null
# shellcheck disable=SC2034 # used by the probes
TARGET=(--vg vg0 --lv root --size 60M --tmp-file /var/space/lvmsnap-cow.img --tmp-file-size 64M --mountpoint /media/snap)
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
