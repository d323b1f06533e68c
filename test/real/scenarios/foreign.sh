# shellcheck shell=bash
# Foreign objects at lvmsnap's names: present refuses (exit 3) and touches nothing; absent leaves
# them alone (exit 0). The object is compared before and after (dump + its content).
#   scen_foreign lv|file|loop|mount

make_foreign() { # KIND -> sets T
	case $1 in
	lv)
		lvcreate -q --yes -L 8M -n "$SNAP" "$VG" >/dev/null
		T=("${T_FREE[@]}")
		;;
	file)
		dd if=/dev/urandom of="$TMPF" bs=1M count=1 status=none
		T=("${T_TMP[@]}")
		;;
	loop)
		dd if=/dev/urandom of="$OTHERF" bs=1M count=16 status=none
		losetup /dev/loop0 "$OTHERF"
		T=("${T_TMP[@]}" --loop-device /dev/loop0)
		;;
	mount)
		mkdir "$MNT"
		mount -t tmpfs -o size=1M tmpfs "$MNT"
		echo "someone else's data" >"$MNT/theirs.txt"
		T=("${T_FREE[@]}")
		;;
	esac
	trace_event "foreign-$1"
}

# Content of the foreign object itself, beyond what the state dump shows.
foreign_content() { # KIND
	case $1 in
	lv) lvs --noheadings -o lv_uuid,lv_attr,lv_tags,lv_size "$VG/$SNAP" ;;
	file) stat -c '%i %s %b' "$TMPF" && md5sum <"$TMPF" ;;
	loop) losetup --list --noheadings -O NAME,BACK-FILE /dev/loop0 && md5sum <"$OTHERF" ;;
	mount) findmnt -n -o SOURCE,FSTYPE,OPTIONS "$MNT" && cat "$MNT/theirs.txt" ;;
	esac
}

scen_foreign() { # KIND
	local kind=$1 T
	if [[ $kind == lv || $kind == mount ]]; then setup_system ext4 free; else setup_system ext4 full; fi
	make_foreign "$kind"
	normalize_state "$STEP/state" >/tmp/before.dump
	foreign_content "$kind" >/tmp/before.content

	lvmsnap --expect 3 -- apply --state present "${T[@]}" --json
	assert_json '.ok' false "present with a foreign $kind"
	assert_json '.refusals | length > 0' true "present names a refusal"
	assert_no_mutation "present with a foreign $kind"
	case $kind in
	lv) assert_contains "$OUT" "LV $VG/$SNAP exists and was not created by lvmsnap" "refusal names the LV" ;;
	file) assert_contains "$OUT" "$TMPF exists and was not created by lvmsnap" "refusal names the file" ;;
	loop) assert_contains "$OUT" "/dev/loop0 is bound to $OTHERF" "refusal names the loop device" ;;
	mount) assert_contains "$OUT" "tmpfs is mounted at $MNT" "refusal names the mount" ;;
	esac
	dump_after /tmp/after.dump
	assert_same_file /tmp/before.dump /tmp/after.dump "present changed nothing"
	foreign_content "$kind" >/tmp/after.content
	assert_same_file /tmp/before.content /tmp/after.content "the foreign $kind is unchanged"

	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	assert_no_mutation "absent with a foreign $kind"
	dump_after /tmp/after.dump
	assert_same_file /tmp/before.dump /tmp/after.dump "absent changed nothing"
	foreign_content "$kind" >/tmp/after.content
	assert_same_file /tmp/before.content /tmp/after.content "the foreign $kind is unchanged after absent"
}
