# shellcheck shell=bash
# lvmsnap backup / backups on real LVM (issue 9). Runs the CLI directly (not through the `lvmsnap`
# helper): backups read and write files the differential's state capture does not model.
#   tar.zst: backup -> restore gives an identical tree (contents, modes, owners, symlinks, hard links)
#   img.zst: the image's hash is the origin device's; restore into a file gives the same hash
#   verify detects one corrupted byte (exit 1)
#   SIGTERM midway: exit 1, no complete-looking file, no .partial, no chain
#   SIGKILL midway (whole process group): no complete-looking file; `apply --state absent` removes the
#   chain; the next backup removes the leftover .partial and succeeds

BK=$SPACE/bk
COMPLETE_RE='^vg0-root__[0-9]{8}_[0-9]{6}\.(tar\.zst|img\.zst)$'

bk() { # ARGS... -> BK_RC, BK_OUT, BK_ERR
	BK_OUT=/tmp/bk.out BK_ERR=/tmp/bk.err BK_RC=0
	node "$CLI" "$@" </dev/null >"$BK_OUT" 2>"$BK_ERR" || BK_RC=$?
}
bk_expect() { # RC ARGS...
	local want=$1
	shift
	bk "$@"
	((BK_RC == want)) || fail "lvmsnap $* exited $BK_RC, expected $want: $(tail -n 5 "$BK_ERR")"
}
complete_files() { find "$BK" -maxdepth 1 -type f -printf '%f\n' | grep -E "$COMPLETE_RE" | sort || true; }
no_chain() { # WHAT
	[[ -z $(lvs --noheadings -o lv_name "$VG/$SNAP" 2>/dev/null) ]] || fail "$1: snapshot $VG/$SNAP is still there"
	[[ -z $(findmnt -rn -o TARGET | grep lvmsnap) ]] || fail "$1: a snapshot mount is left: $(findmnt -rn -o TARGET | grep lvmsnap)"
}
tree_of() { # DIR: non-directories: path type mode owner size link-target link-count; directories: path
	# mode owner (their sizes differ between ext4 and tmpfs); every file's md5
	(cd "$1" && { find . ! -type d -printf '%p %y %m %U:%G %s %l %n\n'; find . -type d -printf '%p d %m %U:%G\n'; } | sort &&
		find . -type f -exec md5sum {} + | sort -k 2)
}
wait_for_partial() { # PID
	local i
	for ((i = 0; i < 1200; i++)); do
		compgen -G "$BK/*.partial" >/dev/null && return 0
		kill -0 "$1" 2>/dev/null || fail "the backup ended before its .partial file appeared: the test proved nothing"
		nap 0.05
	done
	fail "no .partial file after 60 s"
}

fill_origin() {
	random_data
	mkdir -p "$ORIGIN_MNT/etc/sub" "$ORIGIN_MNT/data"
	echo "root:x:0:0" >"$ORIGIN_MNT/etc/passwd"
	echo secret >"$ORIGIN_MNT/etc/shadow"
	chmod 640 "$ORIGIN_MNT/etc/shadow"
	chown 0:42 "$ORIGIN_MNT/etc/shadow"
	chmod 750 "$ORIGIN_MNT/etc/sub"
	chown 1000:1000 "$ORIGIN_MNT/etc/sub"
	ln -s ../passwd "$ORIGIN_MNT/etc/sub/link"
	ln "$ORIGIN_MNT/etc/passwd" "$ORIGIN_MNT/etc/hard"
	mkfifo "$ORIGIN_MNT/etc/fifo"
	for i in 1 2 3 4 5 6; do cp "$RAND_A" "$ORIGIN_MNT/data/a$i.bin"; cp "$RAND_B" "$ORIGIN_MNT/data/b$i.bin"; done
	for i in $(seq 1 200); do echo "small file $i" >"$ORIGIN_MNT/data/s$i.txt"; done
	sync
}

scen_backup() {
	local f img dev_hash t0 pid
	setup_system ext4 free
	fill_origin
	mkdir -p "$BK"

	# --- tar.zst: backup, files 0600, chain gone, restore identical ---
	bk_expect 0 backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --json
	f=$(jq -r .archive "$BK_OUT")
	[[ $(basename "$f") =~ $COMPLETE_RE ]] || fail "archive name $f"
	for x in "$f" "$f.sha256" "$f.json"; do
		assert_eq 600 "$(stat -c %a "$x")" "mode of $x"
	done
	(cd "$BK" && sha256sum -c --quiet "$(basename "$f").sha256") || fail "sha256sum -c of the .sha256 file"
	jq -e '.manifest.origin.lv == "root" and .manifest.format == "tar.zst" and (.manifest.peakSnapshotUsagePercent | type == "number")' "$BK_OUT" >/dev/null ||
		fail "manifest: $(jq -c .manifest "$BK_OUT")"
	no_chain "after tar.zst backup"
	mkdir -p /tmp/restore
	bk_expect 0 backups restore "$f" --to /tmp/restore
	tree_of "$ORIGIN_MNT" >/tmp/tree.origin
	tree_of /tmp/restore >/tmp/tree.restored
	assert_same_file /tmp/tree.origin /tmp/tree.restored "restored tree (paths, types, modes, owners, sizes, links, contents)"
	bk_expect 3 backups restore "$f" --to /tmp/restore
	bk_expect 0 backups verify "$f"

	# --- verify detects one corrupted byte ---
	cp "$f" /tmp/corrupt.tar.zst.orig
	printf '\xff' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc status=none
	bk_expect 1 backups verify "$f"
	grep -q 'checksum mismatch' "$BK_OUT" || fail "verify output: $(cat "$BK_OUT")"
	cp /tmp/corrupt.tar.zst.orig "$f"

	# --- img.zst of the unmounted origin: the image is the device ---
	rm -f "$BK"/*
	umount "$ORIGIN_MNT"
	dev_hash=$(sha256sum <"/dev/$VG/$LV" | cut -d' ' -f1)
	bk_expect 0 backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --format img.zst --json
	img=$(jq -r .archive "$BK_OUT")
	assert_eq "$dev_hash" "$(zstd -q -d -c "$img" | sha256sum | cut -d' ' -f1)" "the image's hash is the origin device's"
	no_chain "after img.zst backup"
	bk_expect 0 backups restore "$img" --to /tmp/restored.img
	assert_eq "$dev_hash" "$(sha256sum </tmp/restored.img | cut -d' ' -f1)" "restored image hash"
	rm -f /tmp/restored.img
	mount "/dev/$VG/$LV" "$ORIGIN_MNT"

	# --- SIGTERM midway: lvmsnap stops its pipeline, removes the .partial and the chain, exits 1 ---
	rm -f "$BK"/*
	node "$CLI" backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --format img.zst --level 19 </dev/null >/tmp/term.out 2>/tmp/term.err &
	pid=$!
	wait_for_partial "$pid"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 1 "$rc" "exit status after SIGTERM"
	grep -q 'stopped by a signal' /tmp/term.err || fail "SIGTERM message: $(cat /tmp/term.err)"
	assert_eq "" "$(ls -A "$BK")" "files left after SIGTERM"
	no_chain "after SIGTERM"

	# --- SIGKILL of the whole process group midway ---
	setsid node "$CLI" backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --format img.zst --level 19 </dev/null >/tmp/kill.out 2>/tmp/kill.err &
	pid=$!
	wait_for_partial "$pid"
	kill -KILL -- "-$pid"
	wait "$pid" 2>/dev/null || true
	sleep 0.5
	assert_eq "" "$(complete_files)" "complete-looking files after SIGKILL"
	compgen -G "$BK/*.partial" >/dev/null || fail "expected the .partial of the killed run (it is only ever renamed when complete)"
	bk_expect 3 backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --format img.zst
	grep -q 'already exists' "$BK_ERR" || fail "the stale snapshot was not refused: $(cat "$BK_ERR")"
	bk_expect 0 apply --state absent --vg "$VG" --lv "$LV"
	no_chain "after SIGKILL and apply --state absent"
	bk_expect 0 backup --vg "$VG" --lv "$LV" --size 40M --dest "$BK" --format tar.zst --level 1 --keep-daily 1 --json
	assert_eq 1 "$(complete_files | wc -l)" "archives after the next backup"
	compgen -G "$BK/*.partial" >/dev/null && fail "the next backup did not remove the leftover .partial"
	jq -e '.removedLeftovers | length == 1' "$BK_OUT" >/dev/null || fail "removedLeftovers: $(jq -c .removedLeftovers "$BK_OUT")"
	bk_expect 0 backups list --dest "$BK" --json
	jq -e '.archives | length == 1 and .[0].verification == "verified-at-backup"' "$BK_OUT" >/dev/null || fail "list: $(cat "$BK_OUT")"
	no_chain "at the end"
}
