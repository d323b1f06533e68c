# shellcheck shell=bash
# Reboot with the tmp-file chain in place. /dev/vda (the VG) and /dev/vdb are kept across two VM
# boots; /dev/vdb is an ext4 that holds the state dir and /media (bind mounts), which a real host
# keeps on its root filesystem but the VM's overlay root would lose.
#   boot 1: present with the tmp file on tmpfs, then power off without any cleanup.
#   boot 2: what a boot does (vgchange -ay, tmpfs and state disk mounted, the origin mounted if it
#     can be), then `status`; system-wide and without a target, `check reboot` blocks (exit 1, the
#     missing PV named as lvmsnap's), `recover --check` changes nothing, `recover` recovers: lvremove
#     of the snapshot, vgreduce --removemissing WITHOUT --force, the origin and its data intact; then
#     `check reboot` says safe (exit 0). (`apply --state absent` after a power loss: boot-recovery.sh.)
# Findings (what vgchange said, whether the origin stayed inactive) are printed with "FINDING:".

mount_persistent() {
	mkdir -p /mnt/persist
	mount /dev/vdb /mnt/persist
	mkdir -p /mnt/persist/state /mnt/persist/media "$STATE_DIR" /media
	mount --bind /mnt/persist/state "$STATE_DIR"
	mount --bind /mnt/persist/media /media
}

scen_reboot_boot1() {
	setup_system ext4 full
	mkfs.ext4 -q -F /dev/vdb
	mount_persistent
	write_before
	lvmsnap --expect 0 -- apply --state present "${T_TMP[@]}" --json
	check_real_present ext4 tmp
	check_snapshot_content "$MNT"
	cp "$ORIGIN_MNT/before.txt" "$VM_OUT/reboot-before.txt"
	md5sum <"$ORIGIN_MNT/data.bin" >"$VM_OUT/reboot-origin-data.md5"
	sync
	echo "FINDING: boot 1 leaves the snapshot mounted, its COW on /dev/loop0 -> $TMPF (tmpfs); powering off without cleanup"
}

scen_reboot_boot2() { # PREV_DIR: boot 1's $VM_OUT as copied to the host
	local prev=$1 rc=0 active
	[[ -n $prev && -f $prev/reboot-before.txt ]] || fail "boot 1's results not found in [$prev]"
	printf 'reboot-boot1\n' >"$TRACE/continues"

	vgchange -ay "$VG" >/tmp/vgchange.txt 2>&1 || rc=$?
	echo "FINDING: boot-time 'vgchange -ay $VG' exited $rc:"
	sed 's/^/FINDING:   /' /tmp/vgchange.txt
	mkdir -p "$SPACE" "$ORIGIN_MNT"
	mount -t tmpfs -o size=200M tmpfs "$SPACE"
	mount_persistent
	rc=0
	mount "/dev/$VG/$LV" "$ORIGIN_MNT" >/tmp/mount.txt 2>&1 || rc=$?
	echo "FINDING: mounting the origin after the reboot exited $rc $(head -n 1 /tmp/mount.txt)"
	trace_event reboot

	lvmsnap --expect 0 -- status "${T_TMP[@]}"
	sed 's/^/  | /' "$OUT"
	lvmsnap --expect 0 -- status "${T_TMP[@]}" --json
	assert_json '[.resources[] | "\(.kind)=\(.status)"] | join(" ")' \
		"TmpFile=partial LoopDevice=absent PvInVg=degraded Snapshot=degraded Mountpoint=partial" "status after the reboot"

	# No target from here on: what an operator does after such a reboot (README).
	lvmsnap --expect 1 -- check reboot --json
	assert_json '.safe' false "check reboot after the reboot"
	assert_json '[.hazards[] | select(.severity == "block" and .kind == "missing-pv" and .vg == "'"$VG"'")] | length' 1 "blocking missing-pv hazard in $VG"
	jq -r '.hazards[] | "FINDING: check reboot: \(.severity) \(.kind) \(.object), owner: \(.owner); fix: \(.fix)"' "$OUT"
	lvmsnap --expect 0 -- recover --check --json
	# --check: "changed" says what would change; nothing may actually run.
	assert_json '.check' true "recover --check"
	assert_json '[.commands[] | select(.mutating)] | length' 0 "recover --check: commands with mutating:true"
	assert_eq 0 "$(mutating_count)" "recover --check: changing commands seen by the shim"
	lvmsnap --expect 0 -- recover --json
	assert_json '.changed' true "recover after the reboot"
	mutating_argvs "$STEP/cmds" | sed 's/^/FINDING: recover ran: /'
	mutating_argvs "$STEP/cmds" | grep -qx "lvremove --yes $VG/$SNAP" || fail "recover did not lvremove the snapshot"
	mutating_argvs "$STEP/cmds" | grep -qx "vgreduce --yes --removemissing $VG" || fail "recover did not run vgreduce --removemissing $VG"
	if mutating_argvs "$STEP/cmds" | grep -q -- '--force\|-ff\b'; then fail "recover used --force"; fi
	assert_missing "$JOURNAL" "lvmsnap's journal after recover"
	assert_eq 0 "$(vgs --noheadings -o vg_missing_pv_count "$VG" | tr -d ' ')" "missing PVs left in $VG"
	lvs "$VG/$LV" >/dev/null 2>&1 || fail "the origin $VG/$LV is gone"
	[[ -z $(lvs --noheadings -o lv_name "$VG/$SNAP" 2>/dev/null) ]] || fail "the snapshot is still there"
	active=$(lvs --noheadings -o lv_active "$VG/$LV" | tr -d ' ')
	lvmsnap --expect 0 -- check reboot --json
	assert_json '.safe' true "check reboot after recover"
	echo "FINDING: after 'lvmsnap recover' the origin $VG/$LV is [${active:-inactive}] ($(lvs --noheadings -o lv_attr "$VG/$LV" | tr -d ' '))"

	# What the administrator (or the next boot) does: activate and mount.
	vgchange -ay "$VG" >/dev/null
	mountpoint -q "$ORIGIN_MNT" || mount "/dev/$VG/$LV" "$ORIGIN_MNT"
	trace_event activate
	assert_same_file "$prev/reboot-before.txt" "$ORIGIN_MNT/before.txt" "origin data (before.txt) after the reboot"
	assert_eq "$(cat "$prev/reboot-origin-data.md5")" "$(md5sum <"$ORIGIN_MNT/data.bin")" "origin data (data.bin) after the reboot"
	echo "FINDING: origin data intact after recovery (before.txt and data.bin match boot 1)"

	lvmsnap --expect 0 -- apply --state present "${T_TMP[@]}" --json
	assert_json '.changed' true "present after the recovery"
	check_real_present ext4 tmp
	lvmsnap --expect 0 -- apply --state absent "${T_TMP[@]}" --json
	assert_eq 0 "$(losetup --list --noheadings | wc -l)" "loop devices left"
}
