#!/usr/bin/env bash
# Guest side of `npm run fixtures:capture` (test/real/capture.sh). Reproduces the layout of
# fixtures/real-lvm/ with lvmsnap itself and records the real tools' output into $VM_OUT:
#   present  (boot 1, /dev/vda of 400 MiB kept): the smoke scenario's vm-*.txt captures first, then
#            vg0 = /dev/vda + lvmsnap's loop PV on /var/space/extra.tmp (68 MiB, tmpfs), root 100 MiB
#            ext4 mounted at /mnt/root, snapshot root_snap (60 MiB) mounted ro at /media/snap:
#            present.fullreport.json, present.lvs.json, present.losetup.json, present.findmnt.json.
#            Then what lvmsnap reads from the kernel instead of running tools (src/observe.ts), each
#            next to the tool output it replaces, taken at the same moment:
#              kernel.mountinfo (/proc/self/mountinfo) with kernel.findmnt.json,
#              kernel.sysfs-loop.txt (/sys/block/loop*: dev, size, loop/*; `head -v` format) with
#              kernel.losetup.json, kernel.node-stat.json (node's fs.lstat/fs.statfs) with
#              kernel.stat.txt and kernel.df.txt;
#            and kernel-extras.* (same files) after adding what the parsers must get right: a mount
#            point with a space, a loop with offset and sizelimit, a loop whose file was deleted
#            (name with a space), and an autoclear loop from `mount -o loop`.
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
STAT_PATHS=(/var/space/extra.tmp /var/space /media/snap /media /mnt/root)

# kernel_views PREFIX: the kernel's own views and the tool outputs they replace, at one moment.
kernel_views() {
	local p=$1 d
	local -a f
	cat /proc/self/mountinfo >"$out/$p.mountinfo"
	findmnt --json --output TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN >"$out/$p.findmnt.json"
	f=()
	for d in /sys/block/loop*; do
		f+=("$d/dev" "$d/size")
		[[ -d $d/loop ]] && f+=("$d"/loop/*)
	done
	head -v -n 1000 -- "${f[@]}" >"$out/$p.sysfs-loop.txt"
	losetup --list --json >"$out/$p.losetup.json"
	stat --printf '%n\t%F\t%d\t%i\t%s\t%m\n' -- "${STAT_PATHS[@]}" >"$out/$p.stat.txt"
	df --block-size=1 --output=source,fstype,avail,target -- /var/space >"$out/$p.df.txt"
	node -e '
		const fs = require("node:fs");
		const out = {};
		for (const p of process.argv.slice(1)) {
			const s = fs.lstatSync(p);
			out[p] = { dev: s.dev, ino: s.ino, size: s.size, mode: s.mode };
		}
		const v = fs.statfsSync("/var/space");
		out.statfs = { path: "/var/space", type: v.type, bsize: v.bsize, blocks: v.blocks, bfree: v.bfree, bavail: v.bavail };
		console.log(JSON.stringify(out, null, 2));
	' "${STAT_PATHS[@]}" >"$out/$p.node-stat.json"
}

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
	kernel_views kernel
	mkdir -p "/media/a dir" /media/loopmnt
	mount -t tmpfs -o size=1M tmpfs "/media/a dir"
	truncate -s 16M /var/space/offset.img "/var/space/gone file.img"
	losetup --offset 1048576 --sizelimit 8388608 --find /var/space/offset.img
	losetup --find "/var/space/gone file.img"
	rm "/var/space/gone file.img"
	truncate -s 8M /var/space/fs.img
	mkfs.ext4 -q -F /var/space/fs.img
	mount -o loop,ro /var/space/fs.img /media/loopmnt
	kernel_views kernel-extras
	sync
	echo "capture: present.*, kernel.*, kernel-extras.* written; powering off with the snapshot in place"
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
