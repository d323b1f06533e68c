# shellcheck shell=bash
# Boot-time recovery on real LVM without rebooting the VM: power_loss takes away, inside one boot,
# everything a power cut takes (mounts, device-mapper devices, loop devices, the tmpfs content, lock
# files); only /dev/vda with the VG metadata and the root file system (state dir, /media) survive,
# as after a real one. The two-boot scenario in reboot.sh proves that this is what a real reboot
# leaves; these units then cost no extra boot.
#   softreboot:absent    `apply --state absent` with the target recovers (lvremove, vgreduce
#                        --removemissing without --force, the origin reactivated, data intact)
#   initramfs:lvmsnap    the initramfs script (packaging/initramfs-tools/scripts/local-top/lvmsnap,
#                        also dracut's hook) under busybox sh with only `lvm` on PATH, before anything
#                        activated the VG, repairs it; the origin then activates with its data
#   initramfs:foreign-pv a second, foreign loop PV is missing too: the script and `lvmsnap recover`
#                        refuse, naming it, and change nothing
#   initramfs:foreign-lv a foreign LV has extents on lvmsnap's missing PV: same refusals

INITRAMFS_SCRIPT=packaging/initramfs-tools/scripts/local-top/lvmsnap
FOREIGN_PV_UUID=Foreig-nPV0-0000-0000-0000-0000-000001

power_loss() {
	local m
	stop_writer
	for m in "$MNT" "$ORIGIN_MNT"; do
		if mountpoint -q "$m"; then umount "$m"; fi
	done
	vgchange -an "$VG" >/dev/null
	losetup -D
	umount "$SPACE" # the loop device held the tmp file open until now
	mount -t tmpfs -o size=200M tmpfs "$SPACE"
	rm -rf /run/lock/lvmsnap
	[[ -z $(losetup --list --noheadings) ]] || fail "power_loss: loop devices left"
	[[ -z $(dmsetup ls --target linear 2>/dev/null | grep "^$VG-") ]] || fail "power_loss: $VG still has active LVs"
}

# What a boot without lvmsnap's help does: activate what LVM will, mount the origin if it can.
plain_boot_activation() {
	local rc=0
	vgchange -ay "$VG" >/tmp/vgchange.txt 2>&1 || rc=$?
	echo "FINDING: 'vgchange -ay $VG' after the power loss exited $rc: $(grep -m1 -i refusing /tmp/vgchange.txt || true)"
	if [[ $(lvs --noheadings -o lv_active "$VG/$LV" | tr -d ' ') == active ]]; then mount "/dev/$VG/$LV" "$ORIGIN_MNT"; fi
}

# Runs the shipped initramfs script the way an initramfs does: busybox sh, only lvm on PATH.
# Its output is in /tmp/initramfs.out.
run_initramfs_script() {
	local bin=/tmp/initramfs-bin rc=0
	rm -rf "$bin" /run/lvmsnap-initramfs-refused-*
	mkdir -p "$bin"
	ln -s "$(command -v lvm)" "$bin/lvm"
	env -i PATH="$bin" DM_DISABLE_UDEV=1 LVM_SUPPRESS_FD_WARNINGS=1 \
		/bin/busybox sh "$VM_REPO/$INITRAMFS_SCRIPT" >/tmp/initramfs.out 2>&1 || rc=$?
	sed 's/^/  initramfs| /' /tmp/initramfs.out
	assert_eq 0 "$rc" "exit status of the initramfs script (it never fails the boot)"
}

# LVM's view of the VG (what the refusals must leave exactly as it was).
lvm_view() {
	{
		vgs --noheadings -o vg_name,pv_count,lv_count,vg_missing_pv_count,vg_free_count "$VG"
		pvs --noheadings -o pv_uuid,pv_name,pv_tags,pv_pe_alloc_count,pv_missing
		lvs -a --noheadings -o lv_name,lv_attr,lv_tags,lv_size,devices "$VG"
	} 2>/dev/null | sed 's/^ *//'
}

chain_present() {
	setup_system ext4 full
	write_before
	cp "$ORIGIN_MNT/before.txt" /tmp/recovery-before.txt
	lvmsnap --expect 0 -- apply --state present "${T_TMP[@]}" --json
	check_real_present ext4 tmp "$STEP/state"
}

origin_intact() {
	mountpoint -q "$ORIGIN_MNT" || mount "/dev/$VG/$LV" "$ORIGIN_MNT"
	trace_event activate
	assert_same_file /tmp/recovery-before.txt "$ORIGIN_MNT/before.txt" "origin data (before.txt) after the recovery"
	assert_eq "$(cat /tmp/data.md5)" "$(md5sum <"$ORIGIN_MNT/data.bin")" "origin data (data.bin) after the recovery"
}

no_lvmsnap_left_in_vg() {
	local missing pvs
	read -r missing pvs <<<"$(vgs --noheadings -o vg_missing_pv_count,pv_count "$VG")"
	assert_eq 0 "$missing" "missing PVs left in $VG"
	assert_eq "1" "$pvs" "PVs of $VG"
	[[ -z $(lvs --noheadings -o lv_name "$VG/$SNAP" 2>/dev/null) ]] || fail "the snapshot $VG/$SNAP is still there"
}

scen_softreboot() { # absent
	[[ $1 == absent ]] || fail "softreboot: unknown variant $1"
	chain_present
	power_loss
	plain_boot_activation
	trace_event reboot
	lvmsnap --expect 0 -- apply --state absent "${T_TMP[@]}" --json
	mutating_argvs "$STEP/cmds" | grep -qx "lvremove --yes $VG/$SNAP" || fail "absent did not lvremove the snapshot"
	mutating_argvs "$STEP/cmds" | grep -qx "vgreduce --yes --removemissing $VG" || fail "absent did not run vgreduce --removemissing"
	if mutating_argvs "$STEP/cmds" | grep -q -- '--force'; then fail "absent used --force"; fi
	no_lvmsnap_left_in_vg
	vgchange -ay "$VG" >/dev/null
	origin_intact
	assert_missing "$JOURNAL" "lvmsnap's journal"
}

scen_initramfs() { # lvmsnap | foreign-pv | foreign-lv
	local variant=$1
	chain_present
	case $variant in
	lvmsnap) ;;
	foreign-pv)
		# Someone else's temporary PV in the same VG (not tagged, not lvmsnap's UUID), lost as well.
		dd if=/dev/zero of="$OTHERF" bs=1M count=16 status=none
		losetup /dev/loop1 "$OTHERF"
		pvcreate --yes --uuid "$FOREIGN_PV_UUID" --norestorefile /dev/loop1 >/dev/null
		vgextend --yes "$VG" /dev/loop1 >/dev/null
		trace_event foreign-pv
		;;
	foreign-lv)
		# An LV lvmsnap did not create, on the free extent of lvmsnap's loop PV.
		lvcreate --yes -l 1 -n foreign "$VG" /dev/loop0 >/dev/null
		trace_event foreign-lv-on-loop-pv
		;;
	*) fail "initramfs: unknown variant $variant" ;;
	esac
	power_loss
	lvm_view >/tmp/view-before.txt
	run_initramfs_script
	if [[ $variant == lvmsnap ]]; then
		assert_contains /tmp/initramfs.out "lvmsnap: lvm lvremove --yes $VG/$SNAP" "the script removed lvmsnap's snapshot"
		assert_contains /tmp/initramfs.out "lvmsnap: lvm vgreduce --yes --removemissing $VG" "the script removed the missing PV"
		assert_contains /tmp/initramfs.out "VG $VG repaired" "the script's summary"
		no_lvmsnap_left_in_vg
		# The script's own activation (event activation already passed by): the origin is up.
		assert_eq active "$(lvs --noheadings -o lv_active "$VG/$LV" | tr -d ' ')" "the origin after the initramfs script"
		trace_event initramfs-boot repaired
		origin_intact
		# The booted system: nothing blocks a reboot any more; absent removes what the initramfs could
		# not reach (the journal, the mountpoint directory lvmsnap made).
		lvmsnap --expect 0 -- check reboot --json
		assert_json '.safe' true "check reboot after the initramfs repair"
		lvmsnap --expect 0 -- apply --state absent "${T_TMP[@]}" --json
		assert_missing "$JOURNAL" "lvmsnap's journal after absent"
		assert_missing "$MNT" "the mountpoint lvmsnap created"
		return 0
	fi
	local why
	case $variant in
	foreign-pv) why="missing PV $FOREIGN_PV_UUID does not carry lvmsnap's tag" ;;
	foreign-lv) why="LV $VG/foreign has extents on the missing PV" ;;
	esac
	assert_contains /tmp/initramfs.out "not repairing VG $VG: $why" "the script's refusal"
	lvm_view >/tmp/view-after.txt
	assert_same_file /tmp/view-before.txt /tmp/view-after.txt "LVM's view after the script refused"
	plain_boot_activation
	trace_event initramfs-boot refused
	lvm_view >/tmp/view-before.txt
	lvmsnap --expect 1 -- check reboot --json
	assert_json '.safe' false "check reboot with a foreign missing PV"
	lvmsnap --expect 3 -- recover --json
	assert_no_mutation "recover with a foreign object on the missing PV"
	case $variant in
	foreign-pv) assert_contains "$OUT" "$ERR" "$FOREIGN_PV_UUID" "recover names the foreign PV" ;;
	foreign-lv) assert_contains "$OUT" "$ERR" "$VG/foreign" "recover names the foreign LV" ;;
	esac
	lvm_view >/tmp/view-after.txt
	assert_same_file /tmp/view-before.txt /tmp/view-after.txt "LVM's view after recover refused"
	echo "FINDING: initramfs:$variant: the script and 'lvmsnap recover' refused and changed nothing"
}
