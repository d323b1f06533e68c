#!/usr/bin/env bash
# Guest side of `npm run fixtures:capture` (test/real/capture.sh). Reproduces the layout of
# fixtures/real-lvm/ with lvmsnap itself and records the real tools' output into $VM_OUT:
#   present  (boot 1, /dev/vda of 400 MiB kept): the smoke scenario's vm-*.txt captures first, then
#            vg0 = /dev/vda + lvmsnap's loop PV on /var/space/extra.tmp (68 MiB, tmpfs), root 100 MiB
#            ext4 mounted at /mnt/root, snapshot root_snap (60 MiB) mounted ro at /media/snap:
#            present.fullreport.json, present.lvs.json, present.losetup.json, present.findmnt.json.
#            Powers off without cleanup.
#   missing  (boot 2, same disk): the tmpfs file is gone, so the loop PV is missing:
#            missing-pv.fullreport.json (+ .stderr), missing-pv.pvs.json.
#   test/real/vm.sh test/real/tools/capture-guest.sh present|missing CLI
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
export LVM_SUPPRESS_FD_WARNINGS=1
mode=${1:?usage: capture-guest.sh present|missing CLI}
CLI=${2:?usage: capture-guest.sh present|missing CLI}
out=${VM_OUT:?run inside the VM}
set -e

FULLREPORT=(lvm fullreport --units b --nosuffix --reportformat json)

case $mode in
present)
	bash "$HERE/scenarios/smoke.sh"
	pvcreate -q --yes /dev/vda >/dev/null
	vgcreate -q --yes vg0 /dev/vda >/dev/null
	lvcreate -q --yes -L 100M -n root vg0 >/dev/null
	mkfs.ext4 -q -F /dev/vg0/root
	mkdir -p /mnt/root /var/space /media
	mount /dev/vg0/root /mnt/root
	mount -t tmpfs -o size=200M tmpfs /var/space
	echo "origin data" >/mnt/root/hello.txt
	node "$CLI" apply --state present --vg vg0 --lv root --snapshot root_snap --size 60M \
		--tmp-file /var/space/extra.tmp --tmp-file-size 68M --mountpoint /media/snap
	"${FULLREPORT[@]}" >"$out/present.fullreport.json"
	lvs --reportformat json -o lv_name,lv_attr,origin,snap_percent,lv_tags vg0 >"$out/present.lvs.json"
	losetup --list --json >"$out/present.losetup.json"
	findmnt --json --output TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN >"$out/present.findmnt.json"
	sync
	echo "capture: present.* written; powering off with the snapshot in place"
	;;
missing)
	rc=0
	vgchange -ay vg0 >/dev/null 2>&1 || rc=$?
	echo "capture: boot-time vgchange -ay vg0 exited $rc (the origin stays inactive: its snapshot's PV is missing)"
	"${FULLREPORT[@]}" >"$out/missing-pv.fullreport.json" 2>"$out/missing-pv.fullreport.stderr"
	pvs --reportformat json --units b --nosuffix -o pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free,pv_tags,pv_missing \
		>"$out/missing-pv.pvs.json" 2>/dev/null
	echo "capture: missing-pv.* written"
	;;
*) echo "capture-guest.sh: unknown mode $mode" >&2; exit 2 ;;
esac
