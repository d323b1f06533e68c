#!/usr/bin/env bash
# npm run demo:real — the present -> status -> absent cycle of the real CLI on real LVM, in one
# throwaway QEMU VM (test/real/vm.sh). Prints exactly what the real runs print.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
WORK=${LVMSNAP_VM_CACHE_DIR:-$HERE/.work}
# shellcheck source=test/real/host-lib.sh
source "$HERE/host-lib.sh"
prepare_cli
exec "$HERE/vm.sh" "$HERE/tools/demo-guest.sh" "$CLI_BIN"
