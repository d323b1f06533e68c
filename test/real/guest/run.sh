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
set -u

share=/run/vm

# No udev in the guest: LVM must create its /dev nodes itself.
export DM_DISABLE_UDEV=1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
export VM_SHARE=$share VM_OUT=$share/out

# The overlay makes the whole root writable; these just have to exist.
mkdir -p /run/lock /run/lvm /var/lib "$VM_OUT"

IFS= read -r repo <"$share/job/repo"
mapfile -d '' argv <"$share/job/argv"
export VM_REPO=$repo

: >"$share/started"
# stdin is /dev/null: an LVM prompt must fail, never wait for an answer.
cd "$repo" && bash "${argv[@]}" </dev/null >"$share/stdout" 2>"$share/stderr"
rc=$?

# Write-then-rename, so the host never reads a half-written status.
echo "$rc" >"$share/status.tmp" && mv "$share/status.tmp" "$share/status"
sync
