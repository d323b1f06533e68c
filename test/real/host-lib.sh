# shellcheck shell=bash
# Host-side helpers shared by test/real/run-all.sh, demo.sh, capture.sh and bench/real.sh.
#
#   prepare_cli       npm run build once, then a private copy of dist/ + bin/ + packaging/ under
#                     test/real/.work/cli/<stamp>/ (a concurrent `npm run build` deletes dist/ first,
#                     and the guest reads the host's files live over 9p). Sets CLI_BIN.
#   prepare_shim      gcc -static test/real/shim.c (the guest's command recorder). Sets SHIM.
#   cannot_run MSG    the loud failure: "REAL-LVM TIER CANNOT RUN: MSG", exit 1.
# Needs HERE (test/real), REPO and WORK set by the caller.

cannot_run() {
	printf '\nREAL-LVM TIER CANNOT RUN: %s\n\n' "$*" >&2
	exit 1
}

prepare_cli() { # [LOGFILE]
	local log=${1:-/dev/null} stamp
	stamp=$(date +%Y%m%d-%H%M%S)-$$
	(cd "$REPO" && npm run build --silent) >"$log" 2>&1 || {
		cat "$log" >&2
		cannot_run "npm run build failed"
	}
	CLI_DIR=$WORK/cli/$stamp
	mkdir -p "$CLI_DIR/bin"
	# packaging/: the files `lvmsnap systemd install` and `initramfs install` put in place (found next to the program).
	cp -r "$REPO/dist" "$CLI_DIR/dist" && cp "$REPO/bin/lvmsnap.mjs" "$CLI_DIR/bin/lvmsnap.mjs" && cp -r "$REPO/packaging" "$CLI_DIR/packaging" ||
		cannot_run "cannot copy the build to $CLI_DIR"
	[[ -f $CLI_DIR/dist/lvmsnap.mjs ]] || cannot_run "the build has no dist/lvmsnap.mjs"
	CLI_BIN=$CLI_DIR/bin/lvmsnap.mjs
	# Keep the last few private builds only (others may still be in use by a concurrent run).
	find "$WORK/cli" -mindepth 1 -maxdepth 1 -type d -mmin +60 -exec rm -rf {} + 2>/dev/null || true
}

prepare_shim() {
	command -v gcc >/dev/null || cannot_run "gcc is needed to build the command recorder (test/real/shim.c)"
	mkdir -p "$WORK/shim"
	SHIM=$WORK/shim/lvmsnap-shim
	gcc -O2 -static -Wall -o "$SHIM.tmp.$$" "$HERE/shim.c" || cannot_run "cannot build test/real/shim.c"
	mv "$SHIM.tmp.$$" "$SHIM"
}
