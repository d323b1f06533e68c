#!/usr/bin/env bash
# Guest side of `npm run demo:real` (test/real/demo.sh): the real CLI on real LVM, printing exactly
# what a real run prints. vg0 is full, so the snapshot borrows its COW space from a tmp file.
#   test/real/vm.sh test/real/tools/demo-guest.sh CLI
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
export LVM_SUPPRESS_FD_WARNINGS=1
# shellcheck source=test/real/lib.sh
source "$HERE/lib.sh"
CLI=${1:?usage: demo-guest.sh CLI}
TRACE_ROOT=/tmp/demo-trace
scenario_begin demo
setup_system ext4 full >/dev/null

echo "Real host (QEMU VM, lvm2 $(lvm version | awk '/LVM version/ {print $3}'), kernel $(uname -r)):"
echo "  vg0 on /dev/vda is full; vg0/root is a mounted 100 MiB ext4 volume being written to;"
echo "  /var/space is a 200 MiB tmpfs that lends the copy-on-write space."
echo
echo '$ lvs -o lv_name,lv_size,lv_attr vg0; vgs -o vg_name,vg_size,vg_free vg0'
lvs -o lv_name,lv_size,lv_attr vg0
vgs -o vg_name,vg_size,vg_free vg0
echo
start_writer "$ORIGIN_MNT"
echo "written before the snapshot" >"$ORIGIN_MNT/hello.txt"
sync

TARGET=(--vg vg0 --lv root --size 64M --tmp-file /var/space/lvmsnap-cow.img --mountpoint /media/snap)
run() {
	local t0 rc=0
	echo "\$ lvmsnap $*"
	t0=$(now_ms)
	node "$CLI" "$@" || rc=$?
	echo "(exit $rc, $(awk -v ms=$(($(now_ms) - t0)) 'BEGIN { printf "%.1f", ms / 1000 }') s)"
	echo
}

run plan "${TARGET[@]}"
run apply --state present "${TARGET[@]}"
run status "${TARGET[@]}"
echo '$ cat /media/snap/hello.txt; findmnt /media/snap; losetup --list'
cat /media/snap/hello.txt
findmnt /media/snap
losetup --list
echo
run apply --state present "${TARGET[@]}"
run apply --state absent --diff "${TARGET[@]}"
run status "${TARGET[@]}"
stop_writer
echo '$ lvs -o lv_name,lv_size,lv_attr vg0; losetup --list; ls /var/space /media'
lvs -o lv_name,lv_size,lv_attr vg0
losetup --list
ls -la /var/space /media
