# shellcheck shell=bash
# lvmsnap backup on real LVM, part two (issue 9; helpers from backup.sh). Both are units of the `backup` spec.
#   backup-fsa:  --format fsa of the mounted origin's snapshot -> backups verify -> backups restore onto a
#                fresh LV -> the same tree (contents, modes, owners, links) as the origin
#   backup-grow: --grow-snapshot on a tmp-file chain whose 16 MiB snapshot is filled past 80 % while the
#                archive is open (its tar is paused with SIGSTOP, so the test does not race the archive):
#                the snapshot, the tmp file and the loop PV grew, every COW extent is on the loop PV, the
#                manifest records snapshot.grows, the archive verifies and holds the snapshot's view, and
#                the chain is gone with the system back at its start state.
# Not traced for test/real/differential.ts (like backup.sh): the grow depends on when the watch samples
# writes made outside lvmsnap, which a replay on the simulator cannot reproduce; test/backup/grow.test.ts
# checks the grow plan's commands (fallocate, losetup --set-capacity, pvresize, lvextend) on the simulator.

GROW_BK=/tmp/bk-grow # not on $SPACE: a destination on the tmp file's filesystem is refused

scen_backup_fsa() {
	local f
	command -v fsarchiver >/dev/null ||
		fail "fsarchiver is not installed: test/real/vm.sh installs it on the host (PACKAGES), whose root the guest shares"
	setup_system ext4 free
	fill_origin
	mkdir -p "$BK"
	bk_expect 0 backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --format fsa --json
	f=$(jq -r .archive "$BK_OUT")
	[[ $(basename "$f") =~ ^vg0-root__[0-9]{8}_[0-9]{6}\.fsa$ ]] || fail "fsa archive name $f"
	assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
	jq -e '.manifest.format == "fsa" and .manifest.filesystem.type == "ext4"' "$BK_OUT" >/dev/null || fail "manifest: $(jq -c .manifest "$BK_OUT")"
	no_chain "after fsa backup"
	compgen -G "$BK/*.partial*" >/dev/null && fail "a partial file is left: $(ls "$BK")"
	bk_expect 0 backups verify "$f"
	lvcreate -q --yes -L 100M -n fsarestore "$VG" >/dev/null
	bk_expect 0 backups restore "$f" --to "/dev/$VG/fsarestore"
	mkdir -p /tmp/fsa-mnt
	mount -o ro "/dev/$VG/fsarestore" /tmp/fsa-mnt
	tree_of "$ORIGIN_MNT" >/tmp/tree.origin
	tree_of /tmp/fsa-mnt >/tmp/tree.fsa
	umount /tmp/fsa-mnt
	lvremove -q --yes "$VG/fsarestore" >/dev/null
	assert_same_file /tmp/tree.origin /tmp/tree.fsa "fsa: restored tree (paths, types, modes, owners, sizes, links, contents)"
}

snap_pct() { lvs --noheadings -o snap_percent "$VG/$SNAP" 2>/dev/null | tr -d ' ' || true; }
lv_bytes() { lvs --noheadings --units b --nosuffix -o lv_size "$VG/$SNAP" 2>/dev/null | tr -d ' ' || true; }

scen_backup_grow() {
	local pid tarpid='' deadline cur cow0 file0 pv0 cow1 file1 pv1 loop pct kib off=0 rc f dev bad
	setup_system ext4 free
	fill_origin
	rm -rf "$GROW_BK"
	mkdir -p "$GROW_BK"
	dump_state /tmp/grow-start.dump

	LVMSNAP_BACKUP_WATCH_MS=250 node "$CLI" backup --vg "$VG" --lv "$LV" --tmp-file "$TMPF" --size 16M --grow-snapshot \
		--dest "$GROW_BK" --json </dev/null >/tmp/grow.out 2>/tmp/grow.err &
	pid=$!
	# Paused archive: tar (a child of lvmsnap) stops while the origin is written to; lvmsnap's watch keeps
	# polling, sees the usage pass 80 % and grows the snapshot while the archive is still open.
	deadline=$((SECONDS + 120))
	while [[ -z $tarpid ]]; do
		tarpid=$(pgrep -P "$pid" -f '^tar --create' || true)
		[[ -n $tarpid ]] && break
		kill -0 "$pid" 2>/dev/null || fail "the backup ended before its tar could be paused: $(tail -n 5 /tmp/grow.err)"
		((SECONDS < deadline)) || { kill -TERM "$pid"; fail "no tar process of the backup after 120 s"; }
		sleep 0.05 # the guest has one vCPU: do not starve lvmsnap
	done
	kill -STOP "$tarpid"
	grow_fail() { kill -CONT "$tarpid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fail "$*"; }

	loop=$(losetup -n -O NAME -j "$TMPF")
	[[ $loop == /dev/loop* ]] || grow_fail "no loop device on $TMPF: $loop"
	cow0=$(lv_bytes) file0=$(stat -c %s "$TMPF") pv0=$(pvs --noheadings --units b --nosuffix -o pv_size "$loop" | tr -d ' ')
	[[ $cow0 == $((16 * 1024 * 1024)) ]] || grow_fail "the snapshot is $cow0 bytes before the writes (grown before the archive started?), expected 16 MiB"

	# Fill the COW to about 84 %: each round writes half of what is left (at least 256 KiB) into fresh
	# blocks of the origin, then waits for the grow (the watch grows at 80 %).
	deadline=$((SECONDS + 120))
	while cur=$(lv_bytes) && ((${cur:-0} <= cow0)); do
		((SECONDS < deadline)) || grow_fail "the snapshot did not grow within 120 s (usage $(snap_pct) %): $(tail -n 3 /tmp/grow.err)"
		kill -0 "$pid" 2>/dev/null || grow_fail "the backup ended while its tar was paused: $(tail -n 3 /tmp/grow.err)"
		pct=$(snap_pct)
		kib=$(awk -v p="${pct:-0}" -v c="$cow0" 'BEGIN { k = int((84 - p) / 100 * c / 1024 / 2); print (k < 256 ? (p >= 84 ? 0 : 256) : k) }')
		if ((kib > 0)); then
			dd if=/dev/zero of="$ORIGIN_MNT/grow.dat" bs=1K count="$kib" seek="$off" conv=notrunc,fsync status=none
			off=$((off + kib))
		else
			sleep 0.2
		fi
	done
	cow1=$(lv_bytes) file1=$(stat -c %s "$TMPF") pv1=$(pvs --noheadings --units b --nosuffix -o pv_size "$loop" | tr -d ' ')
	((file1 > file0)) || grow_fail "the tmp file did not grow: $file0 -> $file1 bytes"
	((pv1 > pv0)) || grow_fail "the loop PV $loop did not grow: $pv0 -> $pv1 bytes"
	# Every COW segment on the loop PV (none from /dev/vda, which has free extents too).
	bad=$(lvs --noheadings --segments -o devices "$VG/$SNAP" | tr ',' '\n' | tr -d ' ' | grep -v "^$loop(" | grep . || true)
	[[ -z $bad ]] || grow_fail "COW extents of $VG/$SNAP outside $loop: $bad"
	echo "  grown while archiving: snapshot $cow0 -> $cow1, $TMPF $file0 -> $file1, PV $loop $pv0 -> $pv1 bytes (usage $(snap_pct) %)"
	kill -CONT "$tarpid"
	rc=0
	wait "$pid" || rc=$?
	((rc == 0)) || fail "backup --grow-snapshot exited $rc: $(tail -n 5 /tmp/grow.err)"

	jq -e --argjson c0 "$cow0" --argjson c1 "$cow1" '.manifest.snapshot.grows as $g | ($g | length) >= 1 and $g[0].fromBytes == $c0
		and $g[0].toBytes > $c0 and $g[-1].toBytes >= $c1 and $g[0].atPercent >= 80 and .snapshotGrows == $g
		and .manifest.peakSnapshotUsagePercent >= 80' /tmp/grow.out >/dev/null ||
		fail "manifest/summary of the grown backup: $(jq -c '{snapshotGrows, peak: .peakSnapshotUsagePercent, snapshot: .manifest.snapshot, warnings}' /tmp/grow.out)"
	f=$(jq -r .archive /tmp/grow.out)
	bk_expect 0 backups verify "$f"
	# The archive is the snapshot's view: grow.dat was written after the snapshot was taken.
	zstd -q -d -c "$f" | tar -t >/tmp/grow.list
	grep -q 'data/a6.bin$' /tmp/grow.list || fail "data/a6.bin missing from the archive"
	if grep -q 'grow.dat' /tmp/grow.list; then fail "grow.dat (written after the snapshot) is in the archive"; fi

	no_chain "after backup --grow-snapshot"
	[[ -z $(losetup -n -O NAME -j "$TMPF" 2>/dev/null) ]] || fail "a loop device is still bound to $TMPF"
	assert_missing "$TMPF" "the tmp file after the backup"
	rm -f "$ORIGIN_MNT/grow.dat"
	dump_state /tmp/grow-end.dump
	assert_same_file /tmp/grow-start.dump /tmp/grow-end.dump "backup --grow-snapshot returns the system to its start state"
	dev=$(pvs --noheadings -o pv_name | tr -d ' ' | sort | tr '\n' ' ')
	assert_eq "$DISK " "$dev" "PVs after the backup"
	rm -rf "$GROW_BK"
}
