#!/usr/bin/env bash
# Guest side of the real-LVM tier: runs scenarios in one VM boot.
#
#   test/real/vm.sh test/real/suite.sh [--shim PATH] [--prev DIR] SPEC...
#
# SPEC names a scenario (see test/real/scenarios/*.sh):
#   basic:FSTYPE:CHAIN      FSTYPE ext4|xfs, CHAIN tmp (tmp-file chain, VG full) | free (VG free space)
#   foreign:KIND            KIND lv|file|loop|mount
#   bad-input               relative paths, invalid names, missing VG/LV, sizes that do not fit
#   lock                    two runs at once on the same snapshot (and a third with --wait)
#   deb                     apt-get install the .deb (--deb PATH, default dist/lvmsnap_<version>_amd64.deb)
#                           with node hidden, present -> status -> absent with /usr/sbin/lvmsnap, purge
#   crash:CHAIN[:FROM[:TO]] kill present/absent after k = FROM..TO mutating operations (default:
#                           from 1 until a run completes without being killed)
#   backup                  backup/restore/verify/prune on real LVM, SIGTERM and SIGKILL midway (issue 9)
#   backup:fsa              fsa backup/verify/restore onto an LV, same tree (backup-grow.sh)
#   backup:grow             --grow-snapshot of a tmp-file chain on real LVM (backup-grow.sh)
#   backup:lv               backup --format lv into a backup LV, restore into a file, same sha256 (backup-lv.sh)
#   reboot-1 / reboot-2     the two boots of the reboot scenario (persistent /dev/vda and /dev/vdb)
#   softreboot:absent       power loss emulated inside the boot; `apply --state absent` recovers
#   initramfs:VARIANT       VARIANT lvmsnap|foreign-pv|foreign-lv: the initramfs script after an emulated
#                           power loss repairs the VG, or refuses (and so does `lvmsnap recover`)
#   ansible                 the Ansible collection installed with ansible-galaxy; a playbook snapshots a set over two
#                           VGs: --check --diff, first run changed, second changed=0, absent restores (issue 12)
#   cowdev                  --cow-device on a spare second disk (/dev/vdb, LVMSNAP_VM_DISK2_SIZE=64M): present, status,
#                           absent, foreign signatures refused, kill after each step converging
#   guard-1 / guard-2       the shutdown guard: boot 1 with systemd as PID 1 (LVMSNAP_VM_INIT=systemd)
#                           ends in `systemctl poweroff`; boot 2 checks the VG (persistent vda, vdb)
#
# Every scenario prints PASS/FAIL lines (one per unit) and appends "name<TAB>PASS|FAIL<TAB>seconds
# <TAB>message" to $VM_OUT/results.tsv. Exit status: 0 if every unit passed, 1 otherwise.
set -uo pipefail
# The whole script is one compound command, parsed before it runs: editing this file during a
# run cannot change the running instance.
{

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
: "${VM_OUT:?run this inside the VM: test/real/vm.sh test/real/suite.sh SPEC...}"
PREV_DIR=
while (($#)); do
	case $1 in
	--shim) export LVMSNAP_SHIM=$2; shift 2 ;;
	--cli) export LVMSNAP_CLI=$2; shift 2 ;;
	--deb) export LVMSNAP_DEB=$2; shift 2 ;;
	--prev) PREV_DIR=$2; shift 2 ;;
	*) break ;;
	esac
done

# The guest's devtmpfs has no /dev/fd (bash process substitution needs it).
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
# Our own LVM calls inherit the pipes of the unit logger.
export LVM_SUPPRESS_FD_WARNINGS=1

# shellcheck source=test/real/lib.sh
source "$HERE/lib.sh"
for f in "$HERE"/scenarios/*.sh; do
	[[ $f == */smoke.sh || $f == */capture.sh ]] && continue
	# shellcheck disable=SC1090
	source "$f"
done

RESULTS=$VM_OUT/results.tsv
touch "$RESULTS"
FAILED=0

# Seconds since T0 (microseconds, from EPOCHREALTIME) with one decimal, without a process.
secs_since() { # T0_US
	local ds=$(((${EPOCHREALTIME/[.,]/} - $1 + 50000) / 100000))
	echo "$((ds / 10)).$((ds % 10))"
}

# unit NAME FUNCTION ARGS...: runs FUNCTION in a subshell with errexit; records PASS or FAIL.
# Its trace (lib.sh writes it to the guest's tmpfs) goes to $VM_OUT/trace/NAME.tar: one file on
# the results share instead of hundreds (vm.sh unpacks it on the host).
unit() {
	local name=$1 t0 rc msg secs efd tee_pid i
	shift
	t0=${EPOCHREALTIME/[.,]/}
	printf '=== %s\n' "$name"
	printf 'spec %s (%d of %d), unit %s\n' "$spec" "$SPEC_I" "$SPEC_N" "$name" >"$VM_OUT/progress"
	# The unit's stderr is shown and kept (for the FAIL line): tee, whose pid is known.
	exec {efd}> >(tee "/tmp/unit-$name.err" >&2)
	tee_pid=$!
	(
		exec {efd}>&- # fd 2 is enough: no extra fd for the commands to inherit
		set -euo pipefail
		trap 'rc=$?; ((rc)) && printf "  (line %s: %s)\n" "$LINENO" "$BASH_COMMAND" >&2; stop_writer; exit $rc' EXIT
		scenario_begin "$name"
		"$@"
	) 2>&$efd
	rc=$?
	exec {efd}>&-
	# tee ends at the end of its input; a stray process still holding the unit's stderr must not
	# hold the suite: wait for it at most ~2 s.
	for ((i = 0; i < 100; i++)); do
		kill -0 "$tee_pid" 2>/dev/null || break
		nap 0.02
	done
	[[ ! -d $TRACE_ROOT/$name ]] || tar -C "$TRACE_ROOT" -cf "$VM_OUT/trace/$name.tar" "$name" ||
		echo "suite: cannot pack the trace of $name" >&2
	secs=$(secs_since "$t0")
	if ((rc == 0)); then
		printf 'PASS %s (%ss)\n' "$name" "$secs"
		printf '%s\tPASS\t%s\t\n' "$name" "$secs" >>"$RESULTS"
	else
		msg=$(grep -m1 '^ASSERT FAILED' "/tmp/unit-$name.err" || tail -n 1 "/tmp/unit-$name.err" || true)
		printf 'FAIL %s (%ss): %s\n' "$name" "$secs" "${msg:-exit $rc}"
		printf '%s\tFAIL\t%s\t%s\n' "$name" "$secs" "${msg:-exit $rc}" | tr -d '\r' >>"$RESULTS"
		FAILED=1
	fi
	return "$rc"
}

install_shims
mkdir -p "$TRACE_ROOT" "$VM_OUT/trace"
# Where the boot is, for a host that has to kill it at its timeout: $VM_OUT/progress (spec i/N and
# the running unit; lib.sh's next_step adds the step), and $VM_OUT/specs.tsv (seconds per finished spec).
SPEC_I=0 SPEC_N=$#
for spec in "$@"; do
	SPEC_I=$((SPEC_I + 1))
	SPEC_T0=${EPOCHREALTIME/[.,]/}
	printf 'spec %s (%d of %d)\n' "$spec" "$SPEC_I" "$#" >"$VM_OUT/progress"
	IFS=: read -r kind a b c <<<"$spec"
	case $kind in
	basic) unit "basic-$a-$b" scen_basic "$a" "$b" ;;
	foreign) unit "foreign-$a" scen_foreign "$a" ;;
	bad-input) run_bad_input ;;
	lock) unit lock scen_lock ;;
	deb) unit deb scen_deb ;;
	crash) run_crash "$a" "${b:-1}" "${c:-0}" ;;
	backup)
		case ${a:-} in
		'') unit backup scen_backup ;;
		fsa) unit backup-fsa scen_backup_fsa ;;
		grow) unit backup-grow scen_backup_grow ;;
		lv) unit backup-lv scen_backup_lv ;;
		*) echo "suite: unknown scenario spec $spec" >&2; FAILED=1 ;;
		esac
		;;
	thin) unit "thin-$a" scen_thin "$a" ;;
	reboot-1) unit reboot-boot1 scen_reboot_boot1 ;;
	reboot-2) unit reboot-boot2 scen_reboot_boot2 "$PREV_DIR" ;;
	softreboot) unit "softreboot-$a" scen_softreboot "$a" ;;
	initramfs) unit "initramfs-$a" scen_initramfs "$a" ;;
	guard-1) unit guard-boot1 scen_guard_boot1 ;;
	guard-2) unit guard-boot2 scen_guard_boot2 "$PREV_DIR" ;;
	ansible) unit ansible scen_ansible ;;
	cowdev) unit cowdev scen_cowdev ;;
	*) echo "suite: unknown scenario spec $spec" >&2; FAILED=1 ;;
	esac
	printf '%s\t%s\n' "$spec" "$(secs_since "$SPEC_T0")" >>"$VM_OUT/specs.tsv"
done
printf 'all %d specs done\n' "$#" >"$VM_OUT/progress"
exit "$FAILED"
}
