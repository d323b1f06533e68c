# shellcheck shell=bash
# Bad input: exit 3, a message that names the problem, no changing command, nothing changed.
# One unit per case, all on one system; the system is compared with its start at the end.

# name | expected text in stderr | lvmsnap arguments (after "apply --state present")
BAD_INPUT_CASES=(
	"relative-mountpoint|mountpoint: must be an absolute|--vg vg0 --lv root --mountpoint media/snap"
	"relative-tmp-file|tmpFile: must be an absolute|--vg vg0 --lv root --tmp-file cow.img"
	"invalid-vg-name|is not a valid LVM VG name|--vg vg!0 --lv root"
	"invalid-lv-name|is not a valid LVM LV name|--vg vg0 --lv snapshot1"
	"invalid-snapshot-name|must not contain \"_tmeta\"|--vg vg0 --lv root --snapshot root_tmeta"
	"missing-vg|volume group \"nosuchvg\" not found|--vg nosuchvg --lv root"
	"missing-lv|logical volume \"vg0/nosuchlv\" not found|--vg vg0 --lv nosuchlv"
	"size-exceeds-vg-free|but volume group vg0 has 408 MiB free|--vg vg0 --lv root --size 1G --mountpoint /media/snap"
	"tmp-file-exceeds-space|but /var/space has 200 MiB free|--vg vg0 --lv root --tmp-file /var/space/cow.img --tmp-file-size 300M"
)

bad_input_case() { # NAME TEXT ARGS
	local name=$1 text=$2 args
	read -r -a args <<<"$3"
	setup_system ext4 free --keep
	lvmsnap --no-state --expect 3 -- apply --state present "${args[@]}" --json
	# Usage errors go to stderr (and "error" in --json); refusals are in --json "refusals".
	local -a err
	mapfile err <"$ERR"
	{ printf '%s' "${err[@]}"; jq -r '(.refusals // [])[], (.error // empty)' "$OUT"; } >"$STEP/messages.txt"
	assert_contains "$STEP/messages.txt" "$text" "$name: message"
	assert_json '.ok' false "$name: ok"
	assert_eq 0 "$(mutating_count)" "$name: changing commands run"
	[[ ! -e $JOURNAL ]] || fail "$name: a journal was written"
}

run_bad_input() {
	local c name text args
	(
		set -euo pipefail
		scenario_begin bad-input-setup
		setup_system ext4 free
		normalize_state "$STEP/state" >/tmp/bad-input-start.dump
	) || { unit bad-input-setup false; return; }
	for c in "${BAD_INPUT_CASES[@]}"; do
		IFS='|' read -r name text args <<<"$c"
		unit "bad-input-$name" bad_input_case "$name" "$text" "$args"
	done
	unit bad-input-nothing-changed bad_input_unchanged
}

bad_input_unchanged() {
	dump_state /tmp/bad-input-end.dump
	assert_same_file /tmp/bad-input-start.dump /tmp/bad-input-end.dump "bad input changed the system"
}
