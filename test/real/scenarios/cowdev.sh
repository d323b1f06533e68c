# shellcheck shell=bash
# --cow-device: the COW space from a spare second disk (/dev/vdb, attached with LVMSNAP_VM_DISK2_SIZE=64M;
# run-all.sh attaches it to a boot whose specs include cowdev). The VG on /dev/vda is full.
#   cowdev   present -> status -> no-op present -> absent (the disk left without any signature, its unused
#            tail unchanged); the same through a /dev/disk/by-id link (a second present, and one with
#            /dev/vdb, change nothing); refused (exit 3, nothing changed): an ext4 signature, the same filesystem
#            mounted, a PV of another VG; a kill after each step of present and of absent (but the
#            last), then absent restores the start state and present converges.

COWDEV=/dev/vdb
T_COW=(--vg "$VG" --lv "$LV" --cow-device "$COWDEV" --size 32M)

# The disk's last MiB lies beyond every extent a 64 MiB PV has: a marker there must survive the chain.
cowdev_mark() { dd if=/dev/urandom of="$COWDEV" bs=1M seek=63 count=1 conv=fsync status=none; }
cowdev_tail() { dd if="$COWDEV" bs=1M skip=63 count=1 status=none | md5sum; }
cowdev_sigs() { blkid --probe --output value --match-tag TYPE --match-tag PTTYPE -- "$COWDEV" || true; }

cowdev_assert_clean() { # WHAT
	assert_eq "" "$(cowdev_sigs)" "$1: no signature left on $COWDEV"
	assert_eq "$(cat /tmp/cowdev.tail)" "$(cowdev_tail)" "$1: the unused tail of $COWDEV is unchanged"
	dump_after /tmp/cowdev-now.dump
	assert_same_file /tmp/cowdev-start.dump /tmp/cowdev-now.dump "$1: the start state"
}

cowdev_refused() { # WHAT TEXT
	lvmsnap --expect 3 -- apply --state present "${T_COW[@]}" --json
	assert_json '.ok' false "$1: refused"
	assert_no_mutation "$1"
	assert_contains "$OUT" "$ERR" "$2" "$1: the refusal names it"
}

scen_cowdev() {
	[[ -b $COWDEV ]] || fail "no second disk $COWDEV: boot with LVMSNAP_VM_DISK2_SIZE=64M"
	wipefs -a -q "$COWDEV"
	setup_system ext4 full
	printf 'cowdev=64\n' >>"$STEP/args" # differential.ts adds the spare disk to the model
	cowdev_mark
	cowdev_tail >/tmp/cowdev.tail
	normalize_state "$STEP/state" >/tmp/cowdev-start.dump

	lvmsnap --expect 0 -- apply --state present "${T_COW[@]}" --json
	assert_json '.changed' true "present"
	assert_json '[.resources[] | select(.kind == "PvInVg") | .action] | join(",")' create "PvInVg created"
	assert_eq "LVM2_member" "$(cowdev_sigs)" "the spare disk is a PV"
	assert_contains <(lvs --noheadings -o devices "$VG/$SNAP") "$COWDEV" "the COW space is on $COWDEV"
	assert_contains <(pvs --noheadings -o pv_tags "$COWDEV") "lvmsnap_for_$SNAP" "the PV is tagged"
	lvmsnap --expect 0 -- status "${T_COW[@]}" --json
	assert_json '[.resources[] | select(.kind == "PvInVg" or .kind == "Snapshot") | .status] | join(",")' present,present "status"
	lvmsnap --expect 0 -- apply --state present "${T_COW[@]}" --json
	assert_no_mutation "second present"
	lvmsnap --expect 0 -- apply --state absent "${T_COW[@]}" --json
	assert_json '.changed' true "absent"
	cowdev_assert_clean "absent"

	# A stable name for the same disk (udev makes /dev/disk/by-id on a real host; by hand here): followed
	# once to /dev/vdb. Run directly, not traced for the differential check (its model has no such link);
	# it starts and ends in the same state.
	local byid=/dev/disk/by-id/virtio-lvmsnap-spare
	mkdir -p /dev/disk/by-id && ln -sf "$COWDEV" "$byid"
	local T_BYID=(--vg "$VG" --lv "$LV" --cow-device "$byid" --size 32M)
	bk_expect 0 apply --state present "${T_BYID[@]}" --json
	jq -e '.changed == true' "$BK_OUT" >/dev/null || fail "present through $byid: $(cat "$BK_OUT")"
	assert_contains <(lvs --noheadings -o devices "$VG/$SNAP") "$COWDEV" "through $byid: the COW space is on $COWDEV"
	bk_expect 0 apply --state present "${T_BYID[@]}" --json
	jq -e '.changed == false' "$BK_OUT" >/dev/null || fail "a second present through $byid changed something: $(cat "$BK_OUT")"
	bk_expect 0 apply --state present "${T_COW[@]}" --json
	jq -e '.changed == false' "$BK_OUT" >/dev/null || fail "present with $COWDEV after $byid changed something: $(cat "$BK_OUT")"
	bk_expect 0 apply --state absent "${T_BYID[@]}" --json
	jq -e '.changed == true' "$BK_OUT" >/dev/null || fail "absent through $byid: $(cat "$BK_OUT")"
	rm -f "$byid"
	# Not cowdev_assert_clean: its dump is of the last traced run's capture; this one is taken now.
	assert_eq "" "$(cowdev_sigs)" "absent through $byid: no signature left on $COWDEV"
	assert_eq "$(cat /tmp/cowdev.tail)" "$(cowdev_tail)" "absent through $byid: the unused tail of $COWDEV is unchanged"
	dump_state /tmp/cowdev-now.dump
	assert_same_file /tmp/cowdev-start.dump /tmp/cowdev-now.dump "absent through $byid: the start state"

	# Foreign signatures: refused before anything changes, the disk untouched.
	mkfs.ext4 -q -F "$COWDEV" 32M
	trace_event cowdev-ext4
	cowdev_refused "an ext4 signature" "carries a signature lvmsnap did not write (ext4)"
	mkdir -p /mnt/spare && mount "$COWDEV" /mnt/spare
	trace_event cowdev-mount
	cowdev_refused "a mounted filesystem" "is mounted at /mnt/spare"
	umount /mnt/spare && wipefs -a -q "$COWDEV"
	# A fixed UUID: the differential check's model gives that PV the same one.
	pvcreate -q --yes --uuid cowdev-othr-vgpv-0000-0000-0000-000000 --norestorefile "$COWDEV" >/dev/null && vgcreate -q --yes other "$COWDEV" >/dev/null
	trace_event cowdev-other-vg
	cowdev_refused "a PV of another VG" "is a PV of another VG (other)"
	lvmsnap --expect 0 -- apply --state absent "${T_COW[@]}" --json
	assert_no_mutation "absent leaves another VG's PV alone"
	vgremove -q --yes other >/dev/null && pvremove -q --yes "$COWDEV" >/dev/null && wipefs -a -q "$COWDEV"
	rm -rf /dev/other
	trace_event cowdev-wipe
	cowdev_mark
	cowdev_tail >/tmp/cowdev.tail

	# A kill after each step but the last: present runs pvcreate, vgextend, pvchange, lvcreate (killed after
	# 1-3: an orphan PV of ours, in the VG untagged, tagged without a snapshot); absent runs lvremove,
	# vgreduce, pvremove (killed after 1-2: the PV unused, an orphan PV of ours). Every state converges both
	# ways on the simulator (test/cow-device); here each kill is followed by absent, and two by present.
	local k
	for k in 1 2 3; do
		lvmsnap --kill "$k" -- apply --state present "${T_COW[@]}" --json
		assert_rc 137 "present killed after $k"
		lvmsnap --expect 0 -- apply --state absent "${T_COW[@]}" --json
		cowdev_assert_clean "absent after present was killed after $k"
	done
	for k in 1 2; do
		lvmsnap --kill "$k" -- apply --state present "${T_COW[@]}" --json
		lvmsnap --expect 0 -- apply --state present "${T_COW[@]}" --json
		assert_json '.ok' true "present converges after a kill after $k"
		lvmsnap --kill "$k" -- apply --state absent "${T_COW[@]}" --json
		assert_rc 137 "absent killed after $k"
		lvmsnap --expect 0 -- apply --state absent "${T_COW[@]}" --json
		cowdev_assert_clean "absent after absent was killed after $k"
	done
	teardown_all
	wipefs -a -q "$COWDEV"
}
