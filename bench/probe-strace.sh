#!/usr/bin/env bash
# Exploratory: one present and one absent of the executable under strace -f (seccomp-bpf: only the listed
# syscalls stop), as a relative timeline. test/real/vm.sh bench/probe-strace.sh CLI ROUNDS EXE
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
CLI=$1 ROUNDS=${2:-1} EXE=$3
cp -- "$EXE" /tmp/lvmsnap-exe; EXE=/tmp/lvmsnap-exe
$EXE apply --state present "${TARGET[@]}" >/dev/null; $EXE apply --state absent "${TARGET[@]}" >/dev/null
strace -V | head -1
for k in present absent present absent; do
	strace -f --seccomp-bpf -ttt -s 60 -e trace=execve,exit_group,fsync,fdatasync,rename,renameat2,link,linkat,unlink,unlinkat,openat,write,mkdir,rmdir,mount,umount2,ioctl -e signal=none -o /tmp/st-$k $EXE apply --state $k "${TARGET[@]}" >/dev/null 2>&1
	echo "== $k"
	awk 'NR==1{t0=$2} { $2=sprintf("%7.1f", ($2-t0)*1000); print }' /tmp/st-$k | grep -v "ENOENT\|resumed>\|+++\|/usr/lib/x86_64\|/lib/x86_64\|ld.so\|/usr/share/locale" | cut -c1-170
done
