#!/usr/bin/env bash
# npm run fixtures:capture — refreshes fixtures/real-lvm/ from a real VM, with lvmsnap itself
# producing the layout (see test/real/tools/capture-guest.sh): two boots on one kept 400 MiB disk.
#   LVMSNAP_FIXTURES_OUT=DIR   write somewhere else (default fixtures/real-lvm)
# Note: LVM generates UUIDs (VG, LV, PV of /dev/vda) at random, so fresh captures change them;
# tests that pin UUIDs from the fixtures must be updated with them.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
WORK=${LVMSNAP_VM_CACHE_DIR:-$HERE/.work}
# shellcheck source=test/real/host-lib.sh
source "$HERE/host-lib.sh"
DEST=${LVMSNAP_FIXTURES_OUT:-$REPO/fixtures/real-lvm}

prepare_cli
tmp=$(mktemp -d "$WORK/capture.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export LVMSNAP_VM_DISK=$tmp/vda.img LVMSNAP_VM_DISK_SIZE=400M
LVMSNAP_VM_OUT_DIR=$tmp/out "$HERE/vm.sh" "$HERE/tools/capture-guest.sh" present "$CLI_BIN"
LVMSNAP_VM_OUT_DIR=$tmp/out "$HERE/vm.sh" "$HERE/tools/capture-guest.sh" missing "$CLI_BIN"

expected=(present.fullreport.json present.lvs.json present.losetup.json present.findmnt.json
	kernel.mountinfo kernel.sysfs-loop.txt kernel-extras.mountinfo kernel-extras.sysfs-loop.txt
	missing-pv.fullreport.json missing-pv.fullreport.stderr missing-pv.pvs.json vm-index.txt)
for f in "${expected[@]}"; do
	[[ -s $tmp/out/$f ]] || { echo "fixtures:capture: $f was not captured" >&2; exit 1; }
done
mkdir -p "$DEST"
for f in "$tmp"/out/*; do
	install -m 0644 "$f" "$DEST/$(basename "$f")"
done
# The lvmsnap-made fixtures stay read-only, as before.
chmod 0444 "$DEST"/present.* "$DEST"/missing-pv.* "$DEST"/kernel.* "$DEST"/kernel-extras.*
echo "fixtures:capture: $(find "$tmp/out" -type f | wc -l) files refreshed in $DEST"
