#!/bin/bash
# dracut module for lvmsnap's boot-time recovery: repairs a VG that lost lvmsnap's loop PV at the
# last shutdown before dracut's lvm module activates the root LV (see lvmsnap-recover.sh, the same
# script as initramfs-tools' local-top/lvmsnap). Installed by `lvmsnap initramfs install`.

check() {
	require_binaries lvm || return 1
	return 0
}

depends() {
	echo lvm
	return 0
}

install() {
	# initqueue/settled hooks run in name order on every pass of the initqueue; "00-" sorts before
	# the lvm module's lvm_scan job, so the repair comes before dracut's explicit activation.
	inst_hook initqueue/settled 00 "$moddir/lvmsnap-recover.sh"
}
