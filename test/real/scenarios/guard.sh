# shellcheck shell=bash
# The shutdown guard (packaging/systemd/lvmsnap-guard@.service) across a real, clean poweroff with
# systemd as PID 1. /dev/vda (the VG) and /dev/vdb (an ext4 holding the state dir and the guard's
# log) are kept between the two boots.
#   guard-1 (LVMSNAP_VM_INIT=systemd): `lvmsnap systemd install` (--check first, then twice: the
#     second changes nothing), a tmp-file chain with `apply --state present`, which starts the guard
#     instance lvmsnap-guard@var-space.service; then guest/run.sh runs `systemctl poweroff`. A drop-in
#     (test instrumentation only) records, right after the guard's ExecStop, whether /var/space,
#     lvm2-monitor and dm-event were still there, and the guard's journal.
#   guard-2 (busybox): the VG is complete (1 PV, none missing), no lvmsnap LV, PV or journal is left,
#     the origin activates with its data; the guard's ExecStop ran `lvmsnap recover` while the tmp
#     file's file system was still mounted and LVM still ran.
# lvmsnap runs here outside the command recorder (systemd runs it), so these units leave no trace for
# the differential check.

GUARD_TEMPLATE=lvmsnap-guard@.service
GUARD=lvmsnap-guard@var-space.service
PERSIST=/mnt/persist

guard_persist_mounts() {
	mkdir -p "$PERSIST"
	mount /dev/vdb "$PERSIST"
	mkdir -p "$PERSIST/state" "$PERSIST/log" "$STATE_DIR"
	mount --bind "$PERSIST/state" "$STATE_DIR"
}

# lvmsnap's CLI outside the recorder: RC, OUT, ERR set as by the lvmsnap helper.
guard_cli() { # EXPECTED-RC ARGS...
	local expect=$1
	shift
	OUT=/tmp/guard-cli.out ERR=/tmp/guard-cli.err RC=0
	node "$CLI" "$@" </dev/null >"$OUT" 2>"$ERR" || RC=$?
	sed 's/^/  | /' "$OUT" "$ERR"
	assert_rc "$expect" "lvmsnap $*"
}

scen_guard_boot1() {
	[[ $(cat /proc/1/comm) == systemd ]] || fail "guard-1 needs systemd as PID 1 (LVMSNAP_VM_INIT=systemd)"
	setup_system ext4 full
	rm -rf "$TRACE" # nothing for the differential (see above)
	mkfs.ext4 -q -F /dev/vdb
	guard_persist_mounts
	write_before
	cp "$ORIGIN_MNT/before.txt" "$VM_OUT/guard-before.txt"
	md5sum <"$ORIGIN_MNT/data.bin" >"$VM_OUT/guard-origin-data.md5"

	# As README's install section says: lvmsnap on systemd's search path.
	guard_cli 3 systemd install
	assert_contains "$ERR" "no lvmsnap is on systemd's search path" "install without lvmsnap on the search path"
	ln -sfn "$CLI" /usr/local/sbin/lvmsnap
	guard_cli 0 systemd install --check
	assert_contains "$OUT" "install  /etc/systemd/system/$GUARD_TEMPLATE  (missing)" "--check plan"
	assert_missing "/etc/systemd/system/$GUARD_TEMPLATE" "the guard unit after --check"
	guard_cli 0 systemd install
	assert_same_file "$VM_REPO/packaging/systemd/$GUARD_TEMPLATE" "/etc/systemd/system/$GUARD_TEMPLATE" "installed guard unit"
	assert_eq enabled "$(systemctl is-enabled lvmsnap-recover.service)" "lvmsnap-recover.service"
	guard_cli 0 systemd install --json
	assert_json '.changed' false "second systemd install"
	# The shipped units load in this systemd without a warning.
	systemd-analyze verify --man=no "$GUARD" lvmsnap-recover.service >/tmp/verify.txt 2>&1 || fail "systemd-analyze verify: $(cat /tmp/verify.txt)"
	[[ ! -s /tmp/verify.txt ]] || fail "systemd-analyze verify warned: $(cat /tmp/verify.txt)"

	# Test instrumentation: after the guard's ExecStop, record what was still there.
	cat >"$PERSIST/log/after-stop.sh" <<-'EOF'
		l=/mnt/persist/log
		findmnt -rn -o TARGET >$l/mounts.txt
		losetup --list --noheadings >$l/loops.txt
		for u in lvm2-monitor.service dm-event.service; do echo "$u $(systemctl is-active $u)"; done >$l/units.txt
		journalctl -b -o short-monotonic --no-pager -u "$1" >$l/guard.log
		sync
	EOF
	mkdir -p "/etc/systemd/system/$GUARD_TEMPLATE.d"
	cat >"/etc/systemd/system/$GUARD_TEMPLATE.d/vm-test.conf" <<-EOF
		[Unit]
		RequiresMountsFor=$PERSIST
		[Service]
		ExecStopPost=/bin/bash $PERSIST/log/after-stop.sh %n
	EOF
	systemctl daemon-reload

	guard_cli 0 apply --state present "${T_TMP[@]}"
	check_real_present ext4 tmp
	assert_eq active "$(systemctl is-active "$GUARD")" "the guard after apply --state present"
	systemctl show -p After,Requires "$GUARD" | tr ' ' '\n' | grep -E 'var-space.mount|lvm2-monitor|dm-event' | sed 's/^/  guard order: /'
	systemctl show -p After "$GUARD" | grep -q 'var-space.mount' || fail "the guard is not ordered after var-space.mount"
	sync
	echo "FINDING: guard-1: chain present, $GUARD active; guest/run.sh now runs 'systemctl poweroff'"
}

scen_guard_boot2() { # PREV_DIR: guard-1's $VM_OUT
	local prev=$1 active
	[[ -n $prev && -f $prev/guard-before.txt ]] || fail "guard-1's results not found in [$prev]"
	guard_persist_mounts
	echo "FINDING: the guard's journal from the poweroff:"
	sed 's/^/FINDING:   /' "$PERSIST/log/guard.log" 2>/dev/null || fail "no guard log: the guard's ExecStop did not run"
	assert_contains "$PERSIST/log/guard.log" "Stopping $GUARD" "the guard was stopped at poweroff"
	# Right after ExecStop (lvmsnap recover): the tmp file's file system and LVM's daemons still there.
	grep -qx "$SPACE" "$PERSIST/log/mounts.txt" || fail "$SPACE was already unmounted when the guard stopped"
	assert_eq "lvm2-monitor.service active" "$(grep lvm2-monitor "$PERSIST/log/units.txt")" "lvm2-monitor when the guard stopped"
	[[ ! -s $PERSIST/log/loops.txt ]] || fail "loop devices left after the guard's recover: $(cat "$PERSIST/log/loops.txt")"

	assert_eq "1 0" "$(vgs --noheadings -o pv_count,vg_missing_pv_count "$VG" | xargs)" "PVs / missing PVs of $VG"
	[[ -z $(lvs --noheadings -o lv_name "$VG/$SNAP" 2>/dev/null) ]] || fail "the snapshot survived the shutdown"
	[[ -z $(pvs --noheadings -o pv_tags | grep lvmsnap) ]] || fail "a PV with lvmsnap's tag survived"
	assert_missing "$JOURNAL" "lvmsnap's journal after the guard's recover"
	vgchange -ay "$VG" >/dev/null
	active=$(lvs --noheadings -o lv_active "$VG/$LV" | tr -d ' ')
	assert_eq active "$active" "the origin after a plain vgchange -ay"
	mkdir -p "$ORIGIN_MNT"
	mount "/dev/$VG/$LV" "$ORIGIN_MNT"
	assert_same_file "$prev/guard-before.txt" "$ORIGIN_MNT/before.txt" "origin data (before.txt) after the guarded poweroff"
	assert_eq "$(cat "$prev/guard-origin-data.md5")" "$(md5sum <"$ORIGIN_MNT/data.bin")" "origin data (data.bin) after the guarded poweroff"
	echo "FINDING: guard-2: the VG came up complete and the origin intact after 'systemctl poweroff' with a chain in place"
	umount "$ORIGIN_MNT" "$STATE_DIR" "$PERSIST"
}
