#!/bin/bash
# Stage 2 of the VM: runs chrooted in the guest root (host `/` read-only over
# 9p + tmpfs overlay), as root, with the host's bash, node and lvm2.
#
# vm.sh copied this file to the results share as /run/vm/job/run.sh. The job
# files next to it say what to run (no eval: argv travels NUL-separated):
#   job/repo   repo root of the checkout that invoked vm.sh (same path here)
#   job/argv   NUL-separated: scenario script path, then its arguments
# Results written back to the share:
#   started          written just before the scenario runs (boot worked)
#   stdout, stderr   the scenario's output streams (the host streams them)
#   status           the scenario's exit status, written last
#   out/             free space for the scenario ($VM_OUT)
#
# With LVMSNAP_VM_INIT=systemd, guest/init first runs `run.sh --setup-systemd` (chrooted, share at
# /vm) to make the root boot with systemd as PID 1 and run this script as the unit
# lvmsnap-vm-job.service; when the scenario ends, this script powers the VM off through systemd
# (`systemctl poweroff`), so every unit's stop (lvmsnap's shutdown guard) runs as on a real host.
set -u

share=/run/vm
[[ -d /vm/job ]] && share=/vm # systemd mode

if [[ ${1:-} == --setup-systemd ]]; then
	# The host's fstab names disks the guest lacks; its enabled services (databases, timers,
	# gettys) only slow the boot. LVM's own units (lvm2-monitor, dm-event) stay enabled.
	: >/etc/fstab
	rm -f /etc/systemd/system/{multi-user,getty,timers}.target.wants/*
	# These walk the whole root (over 9p: minutes under TCG) or only serve logins.
	for u in systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer systemd-sysusers.service \
		systemd-update-utmp.service systemd-update-utmp-runlevel.service console-getty.service \
		getty.target systemd-logind.service; do
		ln -sf /dev/null "/etc/systemd/system/$u"
	done
	mkdir -p /etc/systemd/system/multi-user.target.wants /etc/systemd/system.conf.d
	# Generators (fstab, getty, gpt-auto, ...) have nothing to do here; each costs seconds under TCG.
	mkdir -p /etc/systemd/system-generators
	for g in /lib/systemd/system-generators/* /usr/lib/systemd/system-generators/*; do
		[[ -e $g ]] && ln -sf /dev/null "/etc/systemd/system-generators/${g##*/}"
	done
	# The journal stays in RAM (the overlay root is thrown away anyway).
	mkdir -p /etc/systemd/journald.conf.d
	printf '[Journal]\nStorage=volatile\n' >/etc/systemd/journald.conf.d/lvmsnap-vm.conf
	# No udev in the guest: every unit (lvmsnap's guard too) gets DM_DISABLE_UDEV=1.
	printf '[Manager]\nDefaultEnvironment=DM_DISABLE_UDEV=1 LVM_SUPPRESS_FD_WARNINGS=1\n' \
		>/etc/systemd/system.conf.d/lvmsnap-vm.conf
	cat >/etc/systemd/system/lvmsnap-vm-job.service <<-EOF
		[Unit]
		Description=lvmsnap VM job (test/real/guest/run.sh)
		After=basic.target

		[Service]
		Type=oneshot
		ExecStart=/bin/bash $share/job/run.sh
		StandardOutput=journal+console
		StandardError=journal+console
		TimeoutStartSec=infinity
	EOF
	ln -sf ../lvmsnap-vm-job.service /etc/systemd/system/multi-user.target.wants/
	ln -sf /lib/systemd/system/multi-user.target /etc/systemd/system/default.target
	exit 0
fi

# No udev in the guest: LVM must create its /dev nodes itself.
export DM_DISABLE_UDEV=1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
export VM_SHARE=$share VM_OUT=$share/out

# The overlay makes the whole root writable; these just have to exist.
mkdir -p /run/lock /run/lvm /var/lib "$VM_OUT"

IFS= read -r repo <"$share/job/repo"
mapfile -d '' argv <"$share/job/argv"
argv[0]=${argv[0]/#\/run\/vm\//$share/} # a script vm.sh copied to the share
export VM_REPO=$repo

: >"$share/started"
# stdin is /dev/null: an LVM prompt must fail, never wait for an answer.
cd "$repo" && bash "${argv[@]}" </dev/null >"$share/stdout" 2>"$share/stderr"
rc=$?

# Write-then-rename, so the host never reads a half-written status.
echo "$rc" >"$share/status.tmp" && mv "$share/status.tmp" "$share/status"
sync
# Under systemd (PID 1), a clean poweroff: stops every unit, then powers the VM off.
[[ $share == /vm ]] && systemctl poweroff --no-block
