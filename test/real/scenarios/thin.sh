# shellcheck shell=bash
# A thin origin on a real thin pool (needs thin-provisioning-tools' thin_check in the guest, from the host).
#   scen_thin ext4|xfs
# vg0 holds root (as in setup_system) and a thin pool `pool` with the thin origin `data` (mounted at
# /mnt/data, being written to) and the user's own thin LV `other` and thin snapshot `data-mine`: lvmsnap
# must make a thin snapshot (no COW size), activated and mounted read-only, refuse above the pool usage
# threshold, make a classic COW snapshot with --size, and never touch the pool or the user's thin LVs.

THIN_ORIGIN_MNT=/mnt/data

thin_setup() { # FSTYPE
	local fstype=$1
	command -v thin_check >/dev/null || fail "thin_check is missing: install Debian's thin-provisioning-tools on the host (vm.sh's PACKAGES)"
	setup_system "$fstype" free
	lvcreate -q --yes --type thin-pool -L 160M -n pool "$VG" >/dev/null || fail "lvcreate thin-pool failed"
	lvcreate -q --yes -V 256M --thinpool pool -n data "$VG" >/dev/null || fail "lvcreate thin LV failed"
	lvcreate -q --yes -V 128M --thinpool pool -n other "$VG" >/dev/null || fail "lvcreate thin LV other failed"
	mkfs_for "$fstype" "/dev/$VG/data"
	mkdir -p "$THIN_ORIGIN_MNT"
	mount "/dev/$VG/data" "$THIN_ORIGIN_MNT"
	# The user's own thin snapshot: lvm2's default activation-skip flag, so it stays inactive.
	lvcreate -q --yes --snapshot -n data-mine "$VG/data" >/dev/null || fail "lvcreate user's thin snapshot failed"
	printf 'fstype=%s vg=free thin=1\n' "$fstype" >"$STEP/args"
	rm -rf "$STEP/state"
	capture_state "$STEP/state"
}

thin_attr() { lvs --noheadings -o lv_attr "$VG/$1" 2>/dev/null | tr -d ' '; }

scen_thin() { # FSTYPE
	local fstype=$1 line
	local T=(--vg "$VG" --lv data --snapshot data-lvmsnap --mountpoint "$MNT")
	thin_setup "$fstype"
	normalize_state "$STEP/state" >/tmp/start.dump
	local ORIGIN_MNT=$THIN_ORIGIN_MNT
	write_before

	lvmsnap --expect 0 -- plan "${T[@]}" --json
	assert_json '.snapshotKind' thin "plan says it makes a thin snapshot"
	assert_json '[.resources[] | select(.kind == "Snapshot") | .steps[0]] | .[0]' \
		'$ lvcreate --yes --snapshot --setactivationskip n --name data-lvmsnap --addtag lvmsnap vg0/data' "the thin snapshot's lvcreate"
	# The origin is written to from here until the snapshot is gone (the writer costs CPU: not before).
	start_writer "$ORIGIN_MNT"

	lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
	assert_json '.changed' true "first present"
	line=$(lvs --noheadings --separator '|' -o lv_name,origin,pool_lv,lv_tags,segtype "$VG/data-lvmsnap" | tr -d ' ')
	assert_eq "data-lvmsnap|data|pool|lvmsnap|thin" "$line" "thin snapshot name|origin|pool|tags|segtype"
	[[ $(thin_attr data-lvmsnap) == V?i-a?tz-- ]] || fail "thin snapshot attr $(thin_attr data-lvmsnap): not active, or the activation-skip flag is set"
	read -r src fs opts <<<"$(findmnt -n -o SOURCE,FSTYPE,OPTIONS "$MNT")"
	assert_eq "/dev/mapper/$VG-data--lvmsnap|$fstype" "$src|$fs" "mount at $MNT (source|fstype)"
	[[ ,$opts, == *,ro,* ]] || fail "$MNT is mounted with $opts, not ro"
	check_snapshot_content "$MNT"
	# A captured-shape fixture for the parser: a real report with a pool, thin LVs and thin snapshots (the
	# one captured right after present: the same command, see capture_state).
	cp "$STEP/state/fullreport.json" "$VM_OUT/thin.fullreport.json"

	lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
	assert_no_mutation "second present"

	lvmsnap --expect 0 -- status "${T[@]}" --json
	assert_json '.state' present "status"
	assert_json '[.resources[] | select(.kind == "Snapshot") | .observed.kind] | .[0]' thin "status: snapshot kind"
	assert_json '[.resources[] | select(.kind == "Snapshot") | .observed.poolDataPercent | type] | .[0]' number "status: pool data usage"
	assert_json '[.resources[] | select(.kind == "Snapshot") | .observed.poolMetadataPercent | type] | .[0]' number "status: pool metadata usage"

	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	assert_json '.changed' true "first absent"
	stop_writer
	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	assert_no_mutation "second absent"
	[[ $(thin_attr pool) == t* ]] || fail "the thin pool is gone"
	[[ $(thin_attr other) == V* && $(thin_attr data-mine) == V*k ]] || fail "the user's thin LVs changed: other=$(thin_attr other) data-mine=$(thin_attr data-mine)"

	# Above the threshold: refused before any change, naming the pool.
	lvmsnap --expect 3 -- apply --state present "${T[@]}" --thin-pool-threshold 0.01 --json
	assert_no_mutation "present above the pool threshold"
	assert_contains "$ERR" "thin pool $VG/pool is above the 0.01% threshold" "the refusal names the pool"

	# --size: a classic COW snapshot of the thin origin.
	lvmsnap --expect 0 -- apply --state present "${T[@]}" --size 32M --json
	assert_json '.snapshotKind' cow "with --size"
	[[ $(thin_attr data-lvmsnap) == s?i-a* ]] || fail "with --size: attr $(thin_attr data-lvmsnap) is not an active COW snapshot"
	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --size 32M --json
	assert_json '.changed' true "absent of the COW snapshot"
	normalize_state "$STEP/state" >/tmp/end.dump
	# Thin pools' usage moves with the writer and with each create/remove: compare without the percents.
	sed -E 's/"(data_percent|snap_percent|metadata_percent|transaction_id|thin_id|lv_device_open|lv_attr)": "[^"]*"//g' /tmp/start.dump >/tmp/start.norm
	sed -E 's/"(data_percent|snap_percent|metadata_percent|transaction_id|thin_id|lv_device_open|lv_attr)": "[^"]*"//g' /tmp/end.dump >/tmp/end.norm
	assert_same_file /tmp/start.norm /tmp/end.norm "absent returns the system to its start state (but for pool usage)"
	[[ $(cat "$ORIGIN_MNT/after.txt") == "written after the snapshot" ]] || fail "origin lost after.txt"
}
