# shellcheck shell=bash
# present twice, status (tmp-file chain), absent twice on an origin that is mounted and being written to.
#   scen_basic ext4|xfs tmp|free
# tmp: the VG is full, COW space comes from /var/space/cow.img (file -> loop -> PV -> snapshot);
# free: the snapshot takes VG free space. Both mount it read-only at /media/snap.

# The real system holds the snapshot lvmsnap said it made (checked with LVM's and util-linux's own
# tools, not with lvmsnap).
check_real_present() { # fstype chain
	local fstype=$1 chain=$2 line
	line=$(lvs --noheadings --separator '|' -o lv_name,origin,lv_tags,lv_attr "$VG/$SNAP" 2>&1) ||
		fail "lvs $VG/$SNAP: $line"
	IFS='|' read -r name origin tags attr <<<"$(echo "$line" | tr -d ' ')"
	assert_eq "$SNAP|$LV|lvmsnap" "$name|$origin|$tags" "snapshot LV name|origin|tags"
	[[ $attr == s?i-a* ]] || fail "snapshot attr $attr is not an active snapshot"
	if [[ $chain == tmp ]]; then
		assert_eq /dev/loop0 "$(losetup --list --noheadings --output NAME -j "$TMPF")" "loop device bound to the tmp file"
		line=$(pvs --noheadings --separator '|' -o pv_name,vg_name,pv_tags /dev/loop0 | tr -d ' ')
		assert_eq "/dev/loop0|$VG|lvmsnap,lvmsnap_for_$SNAP" "$line" "loop PV in the VG, tagged"
		line=$(lvs --noheadings -o devices "$VG/$SNAP" | tr -d ' ')
		assert_eq "/dev/loop0(0)" "$line" "the snapshot's COW space is on the loop PV"
		(($(stat -c '%b * %B' "$TMPF") >= $(stat -c %s "$TMPF"))) || fail "the tmp file is sparse: $(stat -c '%b blocks of %B, size %s' "$TMPF")"
	else
		line=$(lvs --noheadings -o devices "$VG/$SNAP" | tr -d ' ')
		[[ $line == /dev/vda* ]] || fail "the snapshot's COW space should be on /dev/vda, is on $line"
		[[ -z $(losetup --list --noheadings) ]] || fail "a loop device is bound: $(losetup --list)"
	fi
	line=$(findmnt -n -o SOURCE,FSTYPE,OPTIONS "$MNT")
	read -r src fs opts <<<"$line"
	assert_eq "/dev/mapper/$VG-${SNAP//-/--}|$fstype" "$src|$fs" "mount at $MNT (source|fstype)"
	[[ ,$opts, == *,ro,* ]] || fail "$MNT is mounted with $opts, not ro"
}

scen_basic() { # FSTYPE CHAIN
	local fstype=$1 chain=$2 T
	if [[ $chain == tmp ]]; then
		T=("${T_TMP[@]}")
		setup_system "$fstype" full
	else
		T=("${T_FREE[@]}")
		setup_system "$fstype" free
	fi
	normalize_state "$STEP/state" >/tmp/start.dump
	start_writer "$ORIGIN_MNT"
	write_before

	lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
	assert_json '.changed' true "first present"
	assert_json '.ok' true "first present"
	assert_json '[.resources[] | select(.action == "create")] | length' "$([[ $chain == tmp ]] && echo 5 || echo 2)" \
		"resources created"
	check_real_present "$fstype" "$chain"
	check_snapshot_content "$MNT"

	lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
	assert_no_mutation "second present"
	assert_json '[.resources[] | .action] | unique | join(",")' ok "second present: every resource ok"

	# status (on the tmp-file chain, where every resource is in use)
	if [[ $chain == tmp ]]; then
		lvmsnap --expect 0 -- status "${T[@]}" --json
		assert_json '.state' present "status"
		assert_json "[.resources[] | .status] | join(\",\")" present,present,present,present,present "status of each resource"
		assert_eq 0 "$(mutating_count)" "status ran changing commands"
	fi
	# The snapshot still shows the old data after a few more seconds of writes.
	sleep 2
	check_snapshot_content "$MNT"

	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	assert_json '.changed' true "first absent"
	dump_after /tmp/end.dump
	assert_same_file /tmp/start.dump /tmp/end.dump "absent returns the system to its start state"

	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	assert_no_mutation "second absent"
	dump_after /tmp/end2.dump
	assert_same_file /tmp/start.dump /tmp/end2.dump "second absent leaves the start state"
	stop_writer
	[[ $(cat "$ORIGIN_MNT/after.txt") == "written after the snapshot" ]] || fail "origin lost after.txt"
}
