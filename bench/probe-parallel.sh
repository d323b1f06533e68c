#!/usr/bin/env bash
# Exploratory: does the guest run two processes in parallel? Sequential vs concurrent pairs.
#   test/real/vm.sh bench/probe-parallel.sh CLI ROUNDS EXE
set -uo pipefail
CLI=$1 ROUNDS=${2:-5} EXE=$3
cp -- "$EXE" /tmp/exe
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }
nproc; node -e 0; lvm version >/dev/null; /tmp/exe --version >/dev/null
for ((i = 0; i < ROUNDS; i++)); do
	now_us a; node -e 0; now_us b; lvm version >/dev/null; now_us c; /tmp/exe --version >/dev/null; now_us d
	echo "seq node $(((b - a) / 1000)) lvm $(((c - b) / 1000)) exe $(((d - c) / 1000)) sum $(((d - a) / 1000))"
	now_us a; node -e 0 & lvm version >/dev/null & wait; now_us b
	now_us c; /tmp/exe --version >/dev/null & lvm version >/dev/null & wait; now_us d
	now_us e; node -e 0 & node -e 0 & wait; now_us f
	echo "par node+lvm $(((b - a) / 1000)) exe+lvm $(((d - c) / 1000)) node+node $(((f - e) / 1000))"
done
