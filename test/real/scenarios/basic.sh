# shellcheck shell=bash
# present twice, status (tmp-file chain), absent twice on an origin that is mounted and being written to.
#   scen_basic ext4|xfs tmp|free
# tmp: the VG is full, COW space comes from /var/space/cow.img (file -> loop -> PV -> snapshot);
# free: the snapshot takes VG free space. Both mount it read-only at /media/snap.

# The real system holds the snapshot lvmsnap said it made (checked with LVM's and util-linux's own
# tools, not with lvmsnap). STATE: a capture_state folder taken right after the run (the `lvmsnap`
# helper's $STEP/state), read instead of asking the tools again (each lvm process costs ~0.7 s under
# TCG); without it, the tools are asked now.
check_real_present() { # fstype chain [STATE]
	local fstype=$1 chain=$2 st=${3:-} line tmpst='' key rest n nameorigintags attr loop nloops devices mnts src fs opts blocks bsize size
	if [[ -z $st ]]; then
		tmpst=$(mktemp -d)
		st=$tmpst
		lvm fullreport --units b --nosuffix --reportformat json >"$st/fullreport.json" 2>"$st/fullreport.stderr" || true
		losetup --list --json >"$st/losetup.json" 2>&1 || true
		findmnt --json --output TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN >"$st/findmnt.json" 2>&1 || true
	fi
	# One jq over LVM's report, losetup's and findmnt's: one line per fact, tab-separated.
	line=$(jq -n -r --arg vg "$VG" --arg snap "$SNAP" --arg tmpf "$TMPF" --arg mnt "$MNT" \
		--slurpfile r "$st/fullreport.json" --slurpfile l "$st/losetup.json" --slurpfile m "$st/findmnt.json" '
		([$r[0].report[] | select(.vg[0].vg_name == $vg)][0]) as $v
		| ([$v.lv[] | select(.lv_name == $snap)]) as $lv
		| ([$l[0].loopdevices // [] | .[] | select(.["back-file"] == $tmpf) | .name]) as $loops
		| ([$m[0] | .. | objects | select(.target? == $mnt)]) as $mnts
		| "lv\t\($lv | length)\t\($lv[0].lv_name // "")|\($lv[0].origin // "")|\($lv[0].lv_tags // "")\t\($lv[0].lv_attr // "")",
		  "devices\t\([$v.seg[] | select(.lv_uuid == $lv[0].lv_uuid) | .devices] | join(","))",
		  "pv\t\([$v.pv[] | select(.pv_name == "/dev/loop0") | "\(.pv_name)|\($v.vg[0].vg_name)|\(.pv_tags)"] | join(";"))",
		  "loops\t\([$l[0].loopdevices // [] | .[].name] | length)\t\($loops | join(" "))",
		  "mounts\t\($mnts | length)\t\($mnts[0].source // "")\t\($mnts[0].fstype // "")\t\($mnts[0].options // "")"
		' 2>&1) || fail "cannot read the captured state in $st: $line"
	[[ -z $tmpst ]] || rm -rf "$tmpst"
	local -A f
	while IFS=$'\t' read -r key rest; do f[$key]=$rest; done <<<"$line"
	IFS=$'\t' read -r n nameorigintags attr <<<"${f[lv]}"
	[[ $n == 1 ]] || fail "LVM reports $n LVs named $VG/$SNAP"
	assert_eq "$SNAP|$LV|lvmsnap" "$nameorigintags" "snapshot LV name|origin|tags"
	[[ $attr == s?i-a* ]] || fail "snapshot attr $attr is not an active snapshot"
	devices=${f[devices]}
	# (the count first: read collapses empty tab-separated fields, so "no loop bound here" must come last)
	IFS=$'\t' read -r nloops loop <<<"${f[loops]}"
	if [[ $chain == tmp ]]; then
		assert_eq /dev/loop0 "$loop" "loop device bound to the tmp file"
		assert_eq "/dev/loop0|$VG|lvmsnap,lvmsnap_for_$SNAP" "${f[pv]}" "loop PV in the VG, tagged"
		assert_eq "/dev/loop0(0)" "$devices" "the snapshot's COW space is on the loop PV"
		read -r blocks bsize size <<<"$(stat -c '%b %B %s' "$TMPF")"
		((blocks * bsize >= size)) || fail "the tmp file is sparse: $blocks blocks of $bsize, size $size"
	else
		[[ $devices == /dev/vda* ]] || fail "the snapshot's COW space should be on /dev/vda, is on $devices"
		[[ $nloops == 0 ]] || fail "a loop device is bound: ${f[loops]}"
	fi
	IFS=$'\t' read -r mnts src fs opts <<<"${f[mounts]}"
	[[ $mnts == 1 ]] || fail "$mnts mounts at $MNT"
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
	check_real_present "$fstype" "$chain" "$STEP/state"
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
