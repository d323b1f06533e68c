# shellcheck shell=bash
# The Debian package on a guest without Node.js (issue 11):
#   scen_deb    (spec "deb"; the .deb is $LVMSNAP_DEB, default $VM_REPO/dist/lvmsnap_<version>_amd64.deb,
#                built on the host by `npm run package:deb`)
# 1. apt-get install ./lvmsnap_*.deb: the executable, man page, units, hooks, completions at their
#    paths; lvmsnap-recover.service enabled (the guest has no systemd running: deb-systemd-helper
#    links it all the same).
# 2. node hidden (execute bits taken from every node on PATH, in the guest's throwaway overlay) and proven not
#    runnable; `lvmsnap initramfs install` (with a stand-in update-initramfs: the host root has no
#    initramfs-tools) reports the package's hook and changes nothing; then the core scenario with the
#    installed /usr/sbin/lvmsnap (tmp-file chain, VG full):
#    present (checked with LVM's own tools), status, a refused `apt-get remove` while the loop PV
#    exists (the prerm), absent back to the start state, its umount and losetup --detach made by the
#    executable's native add-on (no process).
# 3. apt-get purge: every file the package listed is gone (directories only where another package
#    owns them), and nothing else changed in the places a package or lvmsnap writes to.

# apt-get without package sources: the guest has no network, so apt could never download anything; what
# it needs (the .deb and the installed packages its Depends name) is the same. Without sources, apt
# does not parse the host's lists of some 60000 packages (Dir::Cache::pkgcache is off on these
# machines, so every apt-get call parsed them again: about a minute each under TCG). A missing
# dependency still fails the install (unmet dependency instead of a failed download).
DEB_APT_SOURCES=/tmp/deb-apt-sources.d
deb_apt() { # apt-get ARGS...
	mkdir -p "$DEB_APT_SOURCES"
	DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$DEB_APT_SOURCES" "$@"
}

# Where dpkg, the maintainer scripts and lvmsnap may write (apt's own caches, logs and database excluded).
deb_tree() {
	# find fails on the roots that do not exist (yet): only its output counts.
	{ find /etc /lib/systemd /var/lib /usr/lib/dracut /usr/share/initramfs-tools /usr/share/doc/lvmsnap /usr/share/man/man8 \
		/usr/share/bash-completion/completions /usr/share/zsh/vendor-completions /usr/share/lintian/overrides /usr/sbin \
		\( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/lib/lvm -o -path /etc/lvm \) -prune \
		-o -printf '%p %y %m\n' 2>/dev/null || true; } | sort
}

deb_hide_node() {
	local n hidden=() rc=0
	# The guest's root is a throwaway overlay: taking the execute bits away hides node for good.
	while read -r n; do
		n=$(readlink -f "$n")
		chmod a-x "$n"
		echo "$n" >>/tmp/deb-hidden-nodes
		hidden+=("$n")
	done < <(type -ap node | sort -u)
	((${#hidden[@]} > 0)) || fail "no node on PATH to hide ($PATH): the scenario would prove nothing"
	hash -r
	# (bash's command -v names a non-executable file when nothing executable matches: check the file)
	n=$(command -v node || true)
	[[ -z $n || ! -x $n ]] || fail "node is still runnable on PATH: $n"
	/usr/bin/env node -e 0 >/dev/null 2>&1 || rc=$?
	((rc != 0)) || fail "node -e 0 still runs"
	echo "  node hidden (${hidden[*]}): 'node -e 0' exits $rc"
}

# The launcher (/usr/sbin/lvmsnap) starts lvm before the executable and the executable adopts it: in a
# converged absent (strace -f), the launcher's process forks lvm BEFORE it execs the executable
# /usr/libexec/lvmsnap/lvmsnap, no other lvm runs, and --json lists the one report, answered.
deb_launcher_order() {
	local launcher lvm before
	strace -f -qq -e trace=execve,clone,clone3,fork,vfork -e signal=none -o /tmp/deb-exec.log /usr/sbin/lvmsnap apply --state absent "${T[@]}" --json \
		>/tmp/deb-launch.json 2>/tmp/deb-launch.err || fail "converged absent under strace: $(tail -n 3 /tmp/deb-launch.err)"
	launcher=$(awk 'NR == 1 { print $1 }' /tmp/deb-exec.log)
	lvm=$(grep -E '^[0-9]+ +execve\("[^"]*/lvm", .*\) = 0' /tmp/deb-exec.log | awk '{ print $1 }' | tr '\n' ' ')
	[[ $lvm =~ ^[0-9]+\ $ ]] || fail "expected exactly one lvm executed, got pids '$lvm': $(grep execve /tmp/deb-exec.log | grep -v ENOENT | head -n 5)"
	lvm=${lvm% }
	# The launcher's own lines up to its exec of the executable: the fork of lvm must be among them.
	before=$(awk -v p="$launcher" '$1 == p { print } $1 == p && /execve\("\/usr\/libexec\/lvmsnap\/lvmsnap"/ { exit }' /tmp/deb-exec.log)
	grep -q 'execve("/usr/libexec/lvmsnap/lvmsnap"' <<<"$before" || fail "the launcher (pid $launcher) never ran the executable"
	grep -qE "(clone|clone3|fork|vfork)\(.*\) = $lvm\$" <<<"$before" ||
		fail "lvm (pid $lvm) was not started by the launcher before the executable: $(grep -E "^$launcher " /tmp/deb-exec.log | head -n 5)"
	assert_eq 'false 1 0' "$(jq -r '[.changed, ([.commands[] | select(.argv[1] == "fullreport")] | length), (.commands[] | select(.argv[1] == "fullreport") | .exitCode)] | join(" ")' /tmp/deb-launch.json)" \
		"converged absent through the launcher: changed, reports listed, the report's exit code"
	echo "  launcher: lvm (pid $lvm) forked by the launcher (pid $launcher) before it ran the executable; one report"
}

# Undoes deb_hide_node (also from outside the subshell that hid it).
deb_unhide_node() {
	local n
	[[ -f /tmp/deb-hidden-nodes ]] || return 0
	while read -r n; do chmod 0755 "$n" || true; done </tmp/deb-hidden-nodes
	rm -f /tmp/deb-hidden-nodes
	hash -r
}

# The installed executable carries no packaging folder: `initramfs install` finds the package's hook and
# script (dpkg's list) and has nothing to do. The host root has no initramfs-tools, so a stand-in
# update-initramfs (which must not run) makes this an initramfs-tools host; it is gone before the purge.
deb_initramfs_install_packaged() {
	local fake=/usr/sbin/update-initramfs rc=0
	[[ ! -e $fake ]] || fail "$fake exists in the guest: this check assumes the host root has no initramfs-tools"
	printf '#!/bin/sh\necho "update-initramfs $*" >>/tmp/deb-update-initramfs.calls\n' >"$fake"
	chmod 0755 "$fake"
	/usr/sbin/lvmsnap initramfs install --json </dev/null >/tmp/deb-initramfs.json 2>/tmp/deb-initramfs.err || rc=$?
	rm -f "$fake"
	sed 's/^/  | /' /tmp/deb-initramfs.err
	((rc == 0)) || fail "lvmsnap initramfs install with the package's hook exited $rc: $(cat /tmp/deb-initramfs.err /tmp/deb-initramfs.json)"
	assert_eq "initramfs-tools false 0 /usr/share/initramfs-tools/hooks/lvmsnap /usr/share/initramfs-tools/scripts/local-top/lvmsnap" \
		"$(jq -r '[.flavor, .changed, (.steps | length), .packaged[]] | map(tostring) | join(" ")' /tmp/deb-initramfs.json)" "initramfs install with the package's files"
	[[ ! -e /tmp/deb-update-initramfs.calls ]] || fail "initramfs install ran update-initramfs: $(cat /tmp/deb-update-initramfs.calls)"
	[[ ! -e /etc/initramfs-tools/hooks/lvmsnap ]] || fail "initramfs install copied the hook although the package has it"
	rc=0
	/usr/sbin/lvmsnap systemd install </dev/null >/tmp/deb-systemd.out 2>&1 || rc=$?
	# (no systemd in this guest: refused before anything else; the guard scenario has systemd)
	assert_eq 3 "$rc" "systemd install without systemd running: $(cat /tmp/deb-systemd.out)"
	echo "  initramfs install: the package's hook and script, nothing to do; systemd install: exit 3 (no systemd here)"
}

scen_deb() {
	local rc=0 pid
	# The body runs in its own errexit subshell so that node comes back (and the package goes) even
	# when it fails: later specs of the same boot need node.
	scen_deb_body &
	pid=$!
	wait "$pid" || rc=$?
	deb_unhide_node
	if ((rc != 0)) && dpkg-query -W lvmsnap >/dev/null 2>&1; then
		LVMSNAP_REMOVE_ANYWAY=1 deb_apt purge lvmsnap >/dev/null 2>&1 || true
	fi
	return "$rc"
}

scen_deb_body() {
	local version deb f line T=("${T_TMP[@]}")
	# This body is a background subshell: the unit's trap does not reach it. Say where it stopped.
	trap 'rc=$?; ((rc)) && printf "  (deb: line %s: %s exited %s)\n" "$LINENO" "$BASH_COMMAND" "$rc" >&2' EXIT
	version=$(jq -r .version "$VM_REPO/package.json")
	deb=${LVMSNAP_DEB:-$VM_REPO/dist/lvmsnap_${version}_amd64.deb}
	[[ -f $deb ]] || fail "$deb does not exist: build it on the host first (npm run package && npm run package:deb)"
	! dpkg-query -W lvmsnap >/dev/null 2>&1 || fail "lvmsnap is already installed in the guest"
	teardown_all
	# man-db's dpkg trigger rebuilds the whole man page index (mandb: minutes under TCG) unless this file
	# is gone; `man -w` below finds the page without the index. (Before the tree is listed: the file
	# stays gone, and install + purge must still leave the tree as it was.)
	rm -f /var/lib/man-db/auto-update
	deb_tree >/tmp/deb-before.txt

	# ---- install ----
	echo "  apt-get install $deb"
	deb_apt install --no-install-recommends "$deb" >/tmp/deb-install.log 2>&1 ||
		fail "apt-get install failed: $(tail -n 5 /tmp/deb-install.log)"
	assert_eq "install ok installed $version" "$(dpkg-query -W -f '${Status} ${Version}' lvmsnap)" "package status"
	dpkg -L lvmsnap | sort >/tmp/deb-files.txt
	for f in /usr/sbin/lvmsnap /usr/share/man/man8/lvmsnap.8.gz /lib/systemd/system/lvmsnap-guard@.service \
		/lib/systemd/system/lvmsnap-recover.service /usr/share/initramfs-tools/hooks/lvmsnap \
		/usr/share/initramfs-tools/scripts/local-top/lvmsnap /usr/lib/dracut/modules.d/90lvmsnap/module-setup.sh \
		/usr/lib/dracut/modules.d/90lvmsnap/lvmsnap-recover.sh /etc/molly-guard/run.d/30-lvmsnap \
		/usr/share/bash-completion/completions/lvmsnap /usr/share/zsh/vendor-completions/_lvmsnap \
		/usr/share/doc/lvmsnap/examples/lvmsnap.yaml /usr/share/doc/lvmsnap/copyright; do
		grep -qxF "$f" /tmp/deb-files.txt || fail "dpkg -L lvmsnap does not list $f"
		[[ -f $f ]] || fail "$f is not installed"
	done
	for f in /usr/sbin/lvmsnap /usr/share/initramfs-tools/hooks/lvmsnap /usr/share/initramfs-tools/scripts/local-top/lvmsnap \
		/usr/lib/dracut/modules.d/90lvmsnap/module-setup.sh /etc/molly-guard/run.d/30-lvmsnap; do
		[[ -x $f ]] || fail "$f is not executable"
	done
	assert_eq /usr/share/man/man8/lvmsnap.8.gz "$(man -w lvmsnap)" "man -w lvmsnap"
	# (through a file: with pipefail, grep -q leaving early made zcat's SIGPIPE fail the pipeline now and then)
	zcat /usr/share/man/man8/lvmsnap.8.gz >/tmp/deb-man.8 || fail "cannot read the installed man page"
	grep -q '^\.TH' /tmp/deb-man.8 || fail "the man page has no .TH header"
	assert_eq /lib/systemd/system/lvmsnap-recover.service "$(readlink /etc/systemd/system/sysinit.target.wants/lvmsnap-recover.service)" \
		"lvmsnap-recover.service enabled (sysinit.target.wants link)"
	[[ ! -e /etc/systemd/system/multi-user.target.wants/lvmsnap-guard@.service ]] || fail "the guard template was enabled"
	[[ $(dpkg-query -W -f '${Conffiles}' lvmsnap) == *' /etc/molly-guard/run.d/30-lvmsnap '* ]] || fail "the molly-guard script is not a conffile"

	# ---- the installed executable, without node ----
	deb_hide_node
	# (type -P: lib.sh's lvmsnap helper is a shell function, which command -v would name)
	assert_eq /usr/sbin/lvmsnap "$(type -P lvmsnap)" "lvmsnap on PATH"
	assert_eq "$version" "$(/usr/sbin/lvmsnap --version)" "lvmsnap --version"
	deb_initramfs_install_packaged
	CLI=/usr/sbin/lvmsnap
	setup_system ext4 full
	normalize_state "$STEP/state" >/tmp/start.dump
	write_before

	lvmsnap --expect 0 -- apply --state present "${T[@]}" --json
	assert_json '.changed' true "present with the installed executable"
	check_real_present ext4 tmp
	check_snapshot_content "$MNT"
	lvmsnap --expect 0 -- status "${T[@]}" --json
	assert_json '.state' present "status with the installed executable"

	# Removing the package now would leave a loop PV nothing tears down: the prerm refuses.
	rc=0
	deb_apt remove lvmsnap >/tmp/deb-remove.log 2>&1 || rc=$?
	((rc != 0)) || fail "apt-get remove succeeded while lvmsnap's loop PV was in use"
	grep -q "not removing lvmsnap while its loop PV" /tmp/deb-remove.log || fail "no refusal message: $(tail -n 5 /tmp/deb-remove.log)"
	# (apt has set the selection to deinstall; what counts is that dpkg still has it installed)
	assert_eq installed "$(dpkg-query -W -f '${Status}' lvmsnap | awk '{ print $3 }')" "package state after the refused remove"
	[[ -x /usr/sbin/lvmsnap ]] || fail "/usr/sbin/lvmsnap is gone after the refused remove"

	lvmsnap --expect 0 -- apply --state absent "${T[@]}" --json
	assert_json '.changed' true "absent with the installed executable"
	# The executable's native add-on (/usr/libexec/lvmsnap/lvmsnap-sys.node) unmounted and detached: no process.
	assert_json '[.commands[] | select(.argv[0] == "umount" or .argv[1] == "--detach") | "\(.argv[0]) \(.exitCode) \(.inProcess)"] | join(", ")' \
		'umount 0 true, losetup 0 true' "absent's umount and losetup --detach through the native add-on"
	deb_launcher_order
	dump_after /tmp/end.dump
	assert_same_file /tmp/start.dump /tmp/end.dump "absent returns the system to its start state"
	deb_unhide_node
	# No teardown before the purge: lvmsnap's state dir stays for the purge to remove.

	# ---- purge ----
	echo "  apt-get purge lvmsnap"
	deb_apt purge lvmsnap >/tmp/deb-purge.log 2>&1 ||
		fail "apt-get purge failed: $(tail -n 5 /tmp/deb-purge.log)"
	[[ $(dpkg-query -W -f '${Status}' lvmsnap 2>/dev/null) != *" installed" ]] || fail "lvmsnap is still installed"
	# dpkg -L starts with "/."; directories stay where another package owns them (on a merged-/usr
	# root /lib is such a directory, reached through a symlink). One dpkg -S for all of them: each call
	# reads every package's file list (seconds under TCG). Its lines are "pkg[, pkg...]: PATH" (package
	# names may hold a colon); a path it owns no package for is missing from its output.
	local left=()
	while read -r f; do
		[[ $f != /. ]] || continue
		[[ -e $f || -L $f ]] || continue
		[[ -d $f ]] || fail "purge left $f behind"
		left+=("$f")
	done </tmp/deb-files.txt
	((${#left[@]} > 0)) || fail "no directory of the package is left: /etc at least is another package's"
	{ dpkg -S "${left[@]}" 2>/dev/null || true; } | sed -n -e '/^diversion by /d' -e 's/^.*: \(\/.*\)$/\1/p' | sort -u >/tmp/deb-owned.txt
	printf '%s\n' "${left[@]}" | sort -u >/tmp/deb-left.txt
	comm -23 /tmp/deb-left.txt /tmp/deb-owned.txt >/tmp/deb-unowned.txt
	[[ ! -s /tmp/deb-unowned.txt ]] || fail "purge left behind what no other package owns: $(tr '\n' ' ' </tmp/deb-unowned.txt)"
	deb_tree >/tmp/deb-after.txt
	diff /tmp/deb-before.txt /tmp/deb-after.txt >/tmp/deb-tree.diff ||
		fail "install + purge changed the system: $(head -n 10 /tmp/deb-tree.diff | tr '\n' ' ')"
	echo "  purge left nothing behind ($(wc -l </tmp/deb-files.txt) paths listed by dpkg -L, $(wc -l </tmp/deb-before.txt) paths compared)"
	teardown_all
}
