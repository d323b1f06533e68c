# shellcheck shell=bash
# Two runs at once on the same snapshot: the first (made slow: a 190 MiB tmp file of zeros) proceeds,
# a second one started while the first holds the lock exits 3 with the lock message, and a third
# with --wait waits for the first and then finds nothing to do.

scen_lock() {
	local first first_pid second third third_pid i T holder
	T=("${T_TMP[@]}" --allocate zero --tmp-file-size 190M)
	setup_system ext4 full
	normalize_state "$STEP/state" >/tmp/start.dump

	lvmsnap --bg -- apply --state present "${T[@]}" --json
	first=$BG_STEP first_pid=$BG_PID
	for ((i = 0; i < 600; i++)); do
		[[ -e $LOCK ]] && break
		kill -0 "$first_pid" 2>/dev/null || break
		nap 0.05
	done
	[[ -e $LOCK ]] || fail "the first run never took the lock ($LOCK)"
	holder=$(<"$LOCK")

	lvmsnap --no-state --lock-held -- apply --state present "${T[@]}" --json
	second=$STEP
	kill -0 "$first_pid" 2>/dev/null ||
		fail "the first run had already finished when the second one ended: the test proved nothing (make the first slower)"
	lvmsnap --bg -- apply --state present "${T[@]}" --wait 300 --json
	third=$BG_STEP third_pid=$BG_PID

	STEP=$second OUT=$second/stdout ERR=$second/stderr RC=$(<"$second/rc")
	assert_rc 3 "the second run"
	assert_contains "$ERR" "another lvmsnap run holds $LOCK (pid $holder)" "lock message"
	assert_json '.ok' false "second run"
	# The launcher's early lvm shell (src/host-real-prefetch.ts) starts before the arguments are read; with
	# a lock held it is asked nothing: an `lvm` process with no line, and no other command.
	local ran
	ran=$(tr '\036' '\n' <"$second/cmds" | awk -F'\t' '$1 == "S" && !($2 !~ /\./ && $3 == "lvm")')
	[[ -z $ran ]] || fail "the second run ran commands: $(tr '\036\037' '\n ' <"$second/cmds")"

	cli_wait "$first" "$first_pid"
	assert_rc 0 "the first run"
	assert_json '.changed' true "the first run"
	cli_wait "$third" "$third_pid"
	assert_rc 0 "the third run (--wait)"
	assert_no_mutation "the third run (--wait)"

	# All three ended in the same state: capture it once for each.
	capture_state "$first/state"
	cp -r "$first/state" "$second/state"
	cp -r "$first/state" "$third/state"
	check_real_present ext4 tmp "$first/state"
	assert_eq $((190 * 1024 * 1024)) "$(stat -c %s "$TMPF")" "tmp file size"

	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	dump_after /tmp/end.dump
	assert_same_file /tmp/start.dump /tmp/end.dump "absent returns the system to its start state"
}
