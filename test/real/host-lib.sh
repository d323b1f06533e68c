# shellcheck shell=bash
# Host-side helpers shared by test/real/run-all.sh, demo.sh, capture.sh and bench/real.sh.
#
#   prepare_cli       npm run build once, then a private copy of dist/ + bin/ + packaging/ under
#                     test/real/.work/cli/<stamp>/ (a concurrent `npm run build` deletes dist/ first,
#                     and the guest reads the host's files live over 9p). Sets CLI_BIN.
#   prepare_deb       (after prepare_cli) npm run package && npm run package:deb, a private copy of the
#                     .deb next to the CLI copy. Sets DEB (the suite's --deb).
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
	# Not the packages (npm run package / package:deb): 100 MiB the guest does not read from here.
	# packaging/: the files `lvmsnap systemd install` and `initramfs install` put in place (found next to the program).
	tar -C "$REPO" -cf - --exclude=dist/lvmsnap --exclude=dist/lvmsnap-standalone.cjs --exclude='dist/*.deb' --exclude=dist/deb-root \
		--exclude=dist/.sea dist | tar -C "$CLI_DIR" -xf - && cp "$REPO/bin/lvmsnap.cjs" "$CLI_DIR/bin/lvmsnap.cjs" &&
		cp -r "$REPO/packaging" "$CLI_DIR/packaging" ||
		cannot_run "cannot copy the build to $CLI_DIR"
	[[ -f $CLI_DIR/dist/lvmsnap.cjs ]] || cannot_run "the build has no dist/lvmsnap.cjs"
	CLI_BIN=$CLI_DIR/bin/lvmsnap.cjs
	# Keep the last few private builds only (others may still be in use by a concurrent run).
	find "$WORK/cli" -mindepth 1 -maxdepth 1 -type d -mmin +60 -exec rm -rf {} + 2>/dev/null || true
}

prepare_deb() { # [LOGFILE]  after prepare_cli
	local log=${1:-/dev/null} version
	version=$(jq -r .version "$REPO/package.json")
	(cd "$REPO" && npm run package --silent && npm run package:deb --silent) >"$log" 2>&1 || {
		cat "$log" >&2
		cannot_run "building the .deb failed (npm run package && npm run package:deb)"
	}
	DEB=$CLI_DIR/lvmsnap_${version}_amd64.deb
	cp "$REPO/dist/lvmsnap_${version}_amd64.deb" "$DEB" || cannot_run "the build has no dist/lvmsnap_${version}_amd64.deb"
}

prepare_shim() {
	command -v gcc >/dev/null || cannot_run "gcc is needed to build the command recorder (test/real/shim.c)"
	mkdir -p "$WORK/shim"
	SHIM=$WORK/shim/lvmsnap-shim
	gcc -O2 -static -Wall -o "$SHIM.tmp.$$" "$HERE/shim.c" || cannot_run "cannot build test/real/shim.c"
	mv "$SHIM.tmp.$$" "$SHIM"
}
