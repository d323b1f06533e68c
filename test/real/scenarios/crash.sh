# shellcheck shell=bash
# Crash at every step. For k = 1, 2, ... (until a run completes without being killed):
#   crash-CHAIN-present-kK: from the start state, `present` is SIGKILLed right after its k-th
#     mutating operation (LVMSNAP_TEST_KILL_AFTER=k: changing commands plus journal writes/removes;
#     expect exit 137); then one `absent` exits 0 and restores the start state exactly (normalized
#     dump), one `present` converges and a second `present` is a no-op (checked once per boot on this
#     path: it starts from the same proven state every k; always when the killed run completed).
#   crash-CHAIN-absent-kK: from that converged present state, `absent` is killed after k; then one
#     `absent` exits 0 and restores the start state exactly.
# "present converges" after the absent unit's recovery is not run again: the absent recovery ends in
# a state proven equal (same normalized start dump) to the one this k's present unit's third run
# converged from.
# One system serves every k; it is rebuilt (new start dump) only after a unit failed.
#   run_crash tmp|free FROM TO      (TO = 0: until both directions completed without a kill)

CRASH_STATE=/tmp/crash-state   # clean | present TRACE-NAME | dirty
CRASH_OUTCOME=/tmp/crash-outcome
CRASH_START=/tmp/crash-start.dump
CRASH_NOOP_DONE=/tmp/crash-noop-done   # the no-op present after a converged present was checked this boot

crash_target() { # CHAIN -> sets T
	if [[ $1 == tmp ]]; then T=("${T_TMP[@]}"); else T=("${T_FREE[@]}"); fi
}

crash_vgmode() { [[ $1 == tmp ]] && echo full || echo free; }

# A clean system to start a unit from: the current one when the last unit left it clean, else a
# rebuilt one (with a new start dump).
crash_clean_start() { # CHAIN
	local state
	read_line state "$CRASH_STATE"
	if [[ $state == clean ]]; then
		setup_system ext4 "$(crash_vgmode "$1")" --keep
	else
		setup_system ext4 "$(crash_vgmode "$1")"
		normalize_state "$STEP/state" >"$CRASH_START"
	fi
	echo dirty >"$CRASH_STATE"
}

assert_start_state() { # WHAT
	dump_after /tmp/crash-now.dump
	assert_same_file "$CRASH_START" /tmp/crash-now.dump "$1"
}

crash_present_unit() { # CHAIN K CLEANUP(0|1)
	local chain=$1 k=$2 cleanup=$3 T outcome
	crash_target "$chain"
	crash_clean_start "$chain"
	lvmsnap --kill "$k" -- apply --state present "${T[@]}" --json
	if [[ $RC == 0 ]]; then
		echo completed >"$CRASH_OUTCOME"
		assert_json '.changed' true "present with KILL_AFTER=$k completed"
		check_real_present ext4 "$chain" "$STEP/state"
	else
		assert_rc 137 "present killed after $k mutating operations"
		lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
		assert_start_state "absent after present was killed after $k operations restores the start state"
		lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
		assert_json '.changed' true "present converges"
		check_real_present ext4 "$chain" "$STEP/state"
	fi
	# The second present is a no-op check of the converged state. After the killed-run path that
	# state was reached from the proven start state (same dump) by the same run, so it is the same
	# state every k: check it once per boot there, and always after a run that completed.
	read_line outcome "$CRASH_OUTCOME"
	if [[ $outcome == completed || ! -e $CRASH_NOOP_DONE ]]; then
		lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
		assert_no_mutation "second present after the crash is a no-op"
		: >"$CRASH_NOOP_DONE"
	fi
	echo "present ${TRACE##*/}" >"$CRASH_STATE"
	if ((cleanup)); then
		lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
		assert_start_state "absent restores the start state"
		echo clean >"$CRASH_STATE"
	fi
}

crash_absent_unit() { # CHAIN K
	local chain=$1 k=$2 T state
	crash_target "$chain"
	read_line state "$CRASH_STATE"
	if [[ $state == present\ * ]]; then
		# Continue from the converged present state the present unit left (and traced).
		printf '%s\n' "${state#present }" >"$TRACE/continues"
		echo dirty >"$CRASH_STATE"
	else
		crash_clean_start "$chain"
		lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
	fi
	lvmsnap --kill "$k" -- apply --state absent "${T[@]}" --json
	if [[ $RC == 0 ]]; then
		echo completed >"$CRASH_OUTCOME"
		assert_json '.changed' true "absent with KILL_AFTER=$k completed"
	else
		assert_rc 137 "absent killed after $k mutating operations"
		lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	fi
	assert_start_state "absent after absent was killed after $k operations restores the start state"
	echo clean >"$CRASH_STATE"
}

run_crash() { # CHAIN FROM TO
	local chain=$1 from=$2 to=$3 k pdone=0 adone=0
	rm -f "$CRASH_STATE"
	for ((k = from; ; k++)); do
		((to == 0 || k <= to)) || break
		((pdone && adone)) && break
		if ((!pdone)); then
			rm -f "$CRASH_OUTCOME"
			unit "crash-$chain-present-k$k" crash_present_unit "$chain" "$k" "$adone" || echo dirty >"$CRASH_STATE"
			[[ -e $CRASH_OUTCOME ]] && pdone=1
		fi
		if ((!adone)); then
			rm -f "$CRASH_OUTCOME"
			unit "crash-$chain-absent-k$k" crash_absent_unit "$chain" "$k" || echo dirty >"$CRASH_STATE"
			[[ -e $CRASH_OUTCOME ]] && adone=1
		fi
	done
	teardown_all
}
