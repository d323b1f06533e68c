#!/usr/bin/env bash
# Smoke scenario for the real-LVM tier: run it with
#   test/real/vm.sh test/real/scenarios/smoke.sh
# Proves the VM can do what lvmsnap needs (PV/VG/LV on /dev/vda, ext4 origin,
# COW snapshot mounted ro,noload, node runs), and records the raw outputs of
# the helper commands the CLI parses. Captures land in $VM_OUT as
#   vm-NAME.txt          exact stdout of one command
#   vm-NAME.stderr.txt   its stderr, only when not empty
#   vm-index.txt         NAME <TAB> exit status <TAB> command line
# (LVMSNAP_VM_OUT_DIR=fixtures/real-lvm copies them into the repo.)
set -euo pipefail
trap 'echo "smoke: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

out=${VM_OUT:?run this inside the VM via test/real/vm.sh}
work=/tmp/lvmsnap-smoke
disk=/dev/vda

# Runs a command whose output is a fixture; its exit status is recorded, not
# fatal, because the failing cases (missing paths) are part of what we record.
capture() {
	local name=$1 rc=0
	shift
	"$@" >"$out/vm-$name.txt" 2>"$out/vm-$name.stderr.txt" || rc=$?
	[[ -s $out/vm-$name.stderr.txt ]] || rm -f "$out/vm-$name.stderr.txt"
	printf '%s\t%s\t%s\n' "$name" "$rc" "$*" >>"$out/vm-index.txt"
	printf '== %s (exit %s): %s\n' "$name" "$rc" "$*"
	cat "$out/vm-$name.txt"
}

# Runs one LVM (or other) step and records how long it took under TCG.
timings=()
timed() {
	local t0 t1
	t0=$(date +%s%N)
	"$@"
	t1=$(date +%s%N)
	timings+=("$(printf '%6d ms  %s' $(((t1 - t0) / 1000000)) "$*")")
}

versions() {
	capture lvm-version lvm version
	capture losetup-version losetup --version
	capture uname-r uname -r
}

node_works() {
	echo "== node"
	timed node --version
	timed node -e 'console.log(1)'
	timed node -e 'console.log(1)'
	[[ $(node -e 'console.log(1)') == 1 ]]
}

# Loop device facts, before any loop device is attached.
capture_loop_empty() {
	capture losetup-list-json-empty losetup --list --json
	capture losetup-find losetup --find
}

build_origin() {
	echo "== origin"
	timed pvcreate --yes "$disk"
	timed vgcreate --yes vg0 "$disk"
	timed lvcreate --yes -L 100M -n root vg0
	timed mkfs.ext4 -q /dev/vg0/root
	mkdir -p "$work/origin" "$work/snap"
	timed mount /dev/vg0/root "$work/origin"
	echo "hello from the origin" >"$work/origin/hello.txt"
	sync
}

snapshot_and_check() {
	echo "== snapshot"
	timed lvcreate --yes -s -L 32M -n s vg0/root
	timed mount -o ro,noload /dev/vg0/s "$work/snap"
	[[ $(cat "$work/snap/hello.txt") == "hello from the origin" ]]
	echo "snapshot content ok"
	timed lvs --reportformat json -o lv_name,lv_attr,origin,lv_size vg0
}

# Helper outputs the CLI parses, taken with the snapshot mounted.
capture_helpers() {
	local file=$work/chunk.img
	truncate -s 64M "$file"
	capture losetup-find-show losetup --find --show -- "$file"
	capture losetup-list-json-one losetup --list --json
	capture stat-ok-and-missing stat --printf '%n\t%F\t%d\t%i\t%s\t%m\n' -- "$work/origin/hello.txt" /missing
	capture stat-missing stat --printf '%n\t%F\t%d\t%i\t%s\t%m\n' -- /missing
	capture stat-kinds stat --printf '%n\t%F\t%d\t%i\t%s\t%m\n' -- "$file" "$work" /dev/vg0/root /dev/mapper/vg0-root /dev/loop0
	capture df-tmp df --block-size=1 --output=source,fstype,avail,target -- /tmp
	capture df-snap df --block-size=1 --output=source,fstype,avail,target -- "$work/snap"
	capture df-missing df --block-size=1 --output=source,fstype,avail,target -- /missing
	capture blkid-ext4 blkid --probe --output value --match-tag TYPE -- /dev/vg0/root
	capture blkid-snap blkid --probe --output value --match-tag TYPE -- /dev/vg0/s
	capture blkid-pv blkid --probe --output value --match-tag TYPE -- "$disk"
	capture blkid-loop-empty blkid --probe --output value --match-tag TYPE -- /dev/loop0
	capture blkid-missing blkid --probe --output value --match-tag TYPE -- /dev/missing
	capture findmnt-json findmnt --json
	capture findmnt-json-list findmnt --json --list
	timed losetup --detach /dev/loop0
}

teardown() {
	echo "== teardown"
	timed umount "$work/snap"
	timed umount "$work/origin"
	timed lvremove --yes vg0/s
	timed lvremove --yes vg0/root
	timed vgremove --yes vg0
	timed pvremove --yes "$disk"
	local left
	left=$(dmsetup ls)
	[[ $left == "No devices found" ]] || { echo "dm devices left: $left" >&2; return 1; }
	echo "teardown clean"
}

: >"$out/vm-index.txt"
versions
node_works
capture_loop_empty
build_origin
snapshot_and_check
capture_helpers
teardown
echo "== timings (TCG)"
printf '%s\n' "${timings[@]}"
echo "smoke: OK"
