#!/usr/bin/env bash
# Run a scenario script as root inside a throwaway QEMU VM that has real
# device-mapper, because this machine's kernel has none (see README.md here).
#
#   test/real/vm.sh SCRIPT [ARGS...]
#
# runs `bash SCRIPT ARGS...` in the guest, with the checkout that holds this
# vm.sh as working directory (same absolute path as on the host). The guest
# sees the host `/` read-only, with a throwaway tmpfs overlay on top, so node,
# lvm2 and the repo are all there. A fresh raw disk is /dev/vda.
#
# stdout/stderr of vm.sh are the scenario's stdout/stderr (streamed live);
# vm.sh's own messages go to stderr, prefixed "[vm.sh]". Exit status is the
# scenario's, or: 124 timeout, 125 VM/infrastructure failure (loud message).
#
# Environment (all optional):
#   LVMSNAP_VM_TIMEOUT=600      hard limit in seconds for the whole VM run
#   LVMSNAP_VM_DISK_SIZE=512M   size of the fresh /dev/vda
#   LVMSNAP_VM_DISK=PATH        use this raw image as /dev/vda and keep it
#                               (created with DISK_SIZE if missing): reboot tests
#   LVMSNAP_VM_DISK2_SIZE=SIZE  also attach a fresh second disk, /dev/vdb
#   LVMSNAP_VM_DISK2=PATH       like LVMSNAP_VM_DISK, for /dev/vdb
#   LVMSNAP_VM_MEM=2048M        guest RAM (its /tmp and overlay are tmpfs)
#   LVMSNAP_VM_CPUS=<nproc,≤4>  guest vCPUs
#   LVMSNAP_VM_CPU_MODEL=max    qemu -cpu model (TCG emulates it)
#   LVMSNAP_VM_OUT_DIR=DIR      copy the scenario's $VM_OUT files here afterwards
#   LVMSNAP_VM_CONSOLE=1        also stream the guest kernel console to stderr
#   LVMSNAP_VM_KEEP=1           keep the run directory (logs, disks, share)
#   LVMSNAP_VM_INIT=systemd     boot the guest root with systemd as PID 1; the scenario
#                               runs as a unit, and the VM powers off with `systemctl
#                               poweroff` (every unit's stop runs). Default: busybox
#   LVMSNAP_VM_CACHE_DIR=DIR    cache + run dirs (default test/real/.work);
#                               point clones at one place to download once
#
# In the guest the scenario gets: VM_REPO (repo root), VM_OUT (writable dir
# copied out via LVMSNAP_VM_OUT_DIR), VM_SHARE, DM_DISABLE_UDEV=1, stdin
# /dev/null. Caches live in test/real/.work/ (delete it to start over).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
WORK=${LVMSNAP_VM_CACHE_DIR:-$HERE/.work}
readonly HERE REPO WORK

TIMEOUT=${LVMSNAP_VM_TIMEOUT:-600}
DISK_SIZE=${LVMSNAP_VM_DISK_SIZE:-512M}
DISK=${LVMSNAP_VM_DISK:-}
DISK2_SIZE=${LVMSNAP_VM_DISK2_SIZE:-}
DISK2=${LVMSNAP_VM_DISK2:-}
MEM=${LVMSNAP_VM_MEM:-2048M}
CPUS=${LVMSNAP_VM_CPUS:-$(($(nproc) < 4 ? $(nproc) : 4))}
CPU_MODEL=${LVMSNAP_VM_CPU_MODEL:-max}
OUT_DIR=${LVMSNAP_VM_OUT_DIR:-}
CONSOLE=${LVMSNAP_VM_CONSOLE:-0}
KEEP=${LVMSNAP_VM_KEEP:-0}
INIT=${LVMSNAP_VM_INIT:-busybox}

PACKAGES=(qemu-system-x86 lvm2 thin-provisioning-tools busybox-static cpio kmod xfsprogs e2fsprogs strace jq gcc libc6-dev zstd fsarchiver)

# Modules the guest needs; their symbol dependencies are added from
# modules.dep. crc32c_generic is listed because ext4/xfs request "crc32c"
# from the crypto API at run time, which modules.dep does not show, and the
# initramfs has no modprobe to load it on demand.
MODULES=(crc32c_generic virtio_pci virtio_blk 9pnet_virtio 9p overlay loop
	dm-mod dm-snapshot ext4 xfs dm-thin-pool)

log() { printf '[vm.sh] %s\n' "$*" >&2; }

# The machine cannot run the tier at all: never a silent skip.
cannot_run() {
	printf '\nREAL-LVM TIER CANNOT RUN: %s\n\n' "$*" >&2
	exit 125
}

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# --- host prerequisites ------------------------------------------------------

pkg_installed() {
	[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]
}

# apt's chatter goes to a log, shown only when something fails.
apt_quiet() {
	if ! "$@" >"$WORK/apt.log" 2>&1; then
		sed 's/^/[apt] /' "$WORK/apt.log" >&2
		return 1
	fi
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt_quiet apt-get install -y \
		--no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
}

ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		pkg_installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	((EUID == 0)) || cannot_run "packages missing (${missing[*]}) and not root"
	log "installing missing packages: ${missing[*]}"
	apt_quiet apt-get update || cannot_run "apt-get update failed"
	apt_install "${missing[@]}" || cannot_run "apt-get install ${missing[*]} failed"
}

check_host() {
	[[ $(uname -m) == x86_64 ]] || cannot_run "host is $(uname -m), needs x86_64"
	command -v dpkg-query >/dev/null || cannot_run "not a Debian-like host (no dpkg)"
	[[ $TIMEOUT =~ ^[0-9]+$ ]] || cannot_run "LVMSNAP_VM_TIMEOUT=$TIMEOUT is not a number"
	[[ $INIT == busybox || $INIT == systemd ]] || cannot_run "LVMSNAP_VM_INIT=$INIT: use busybox or systemd"
	[[ $INIT == busybox || -x /lib/systemd/systemd ]] || cannot_run "LVMSNAP_VM_INIT=systemd needs /lib/systemd/systemd on this machine"
}

# --- kernel + initramfs cache -----------------------------------------------
# Cache layout, under test/real/.work/kernel/:
#   linux-image-<kver>_*.deb     the downloaded kernel package
#   <kver>/vmlinuz               its kernel
#   <kver>/initramfs-<key>.gz    busybox + modules + guest/init; <key> hashes
#                                guest/init and the module list, so editing
#                                either rebuilds it (from the cached .deb)

# Newest kernel already in the cache, so later runs need no apt at all.
cached_kver() {
	local v
	v=$(find "$WORK/kernel" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null |
		awk -F/ '{print $(NF-1)}' | sort -V | tail -n1) || true
	printf '%s' "$v"
}

# The versioned package linux-image-amd64 currently points at.
current_kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}'
}

download_kernel() {
	local pkg
	pkg=$(current_kernel_pkg)
	if [[ -z $pkg ]]; then
		apt_quiet apt-get update || cannot_run "apt-get update failed"
		pkg=$(current_kernel_pkg)
	fi
	[[ -n $pkg ]] || cannot_run "apt-cache depends linux-image-amd64 names no kernel"
	log "downloading $pkg"
	# apt-get download writes into the current directory.
	(cd "$WORK/kernel" && apt_quiet apt-get download "$pkg") ||
		cannot_run "apt-get download $pkg failed"
	printf '%s' "${pkg#linux-image-}"
}

kernel_deb() {
	local deb
	deb=$(find "$WORK/kernel" -maxdepth 1 -name "linux-image-$1_*.deb" | sort -V | tail -n1)
	[[ -n $deb ]] || cannot_run "kernel package for $1 missing from $WORK/kernel"
	printf '%s' "$deb"
}

initramfs_key() {
	{ cat "$HERE/guest/init"; printf '%s\n' "${MODULES[@]}"; } | sha256sum | cut -c1-12
}

# Module name as the kernel sees it, in REPLY: path/dm-mod.ko -> dm_mod.
# (No subshell: it runs once per line of modules.dep.)
modkey() {
	REPLY=${1##*/}
	REPLY=${REPLY%%.ko*}
	REPLY=${REPLY//-/_}
}

# Print the modules (as paths relative to the module dir), dependencies first.
module_load_order() {
	local moddir=$1 line key dep
	local -A path_of=() deps_of=() builtin=() seen=()
	local order=()
	while IFS= read -r line; do
		modkey "${line%%:*}"
		path_of[$REPLY]=${line%%:*}
		deps_of[$REPLY]=${line#*:}
	done <"$moddir/modules.dep"
	while IFS= read -r line; do
		modkey "$line"
		builtin[$REPLY]=1
	done <"$moddir/modules.builtin"

	visit() {
		local k
		modkey "$1"
		k=$REPLY
		[[ -z ${seen[$k]:-} ]] || return 0
		seen[$k]=1
		if [[ -z ${path_of[$k]:-} ]]; then
			[[ -n ${builtin[$k]:-} ]] && return 0
			cannot_run "kernel module $1 not found in $moddir"
		fi
		for dep in ${deps_of[$k]}; do visit "$dep"; done
		order+=("${path_of[$k]}")
	}
	for key in "${MODULES[@]}"; do visit "$key"; done
	printf '%s\n' "${order[@]}"
}

build_initramfs() {
	local kver=$1 out=$2 tmp moddir rel order
	tmp=$(mktemp -d "$WORK/build.XXXXXX")
	log "building initramfs for $kver"
	dpkg-deb -x "$(kernel_deb "$kver")" "$tmp/root"
	moddir=$tmp/root/lib/modules/$kver
	[[ -d $moddir ]] || cannot_run "no lib/modules/$kver in the kernel package"
	depmod -b "$tmp/root" "$kver"
	order=$(module_load_order "$moddir")

	mkdir -p "$tmp/initrd/bin" "$tmp/initrd/modules"
	cp /bin/busybox "$tmp/initrd/bin/busybox"
	install -m 0755 "$HERE/guest/init" "$tmp/initrd/init"
	for rel in $order; do
		# busybox insmod only takes plain .ko files.
		[[ $rel == *.ko ]] || cannot_run "compressed kernel module $rel not supported"
		modkey "$rel"
		cp "$moddir/$rel" "$tmp/initrd/modules/$REPLY.ko"
		printf '%s\n' "$REPLY" >>"$tmp/initrd/modules/order"
	done

	cp "$tmp/root/boot/vmlinuz-$kver" "$WORK/kernel/$kver/vmlinuz.tmp"
	(cd "$tmp/initrd" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
	mv "$WORK/kernel/$kver/vmlinuz.tmp" "$WORK/kernel/$kver/vmlinuz"
	find "$WORK/kernel/$kver" -name 'initramfs-*.gz' -delete # stale keys
	mv "$out.tmp" "$out"
	rm -rf "$tmp" # the extracted tree is ~400 MB; the .deb stays cached
}

# Sets KERNEL and INITRD, building whatever the cache lacks.
prepare_boot_files() {
	local kver key
	mkdir -p "$WORK/kernel"
	kver=$(cached_kver)
	[[ -n $kver ]] || kver=$(download_kernel)
	mkdir -p "$WORK/kernel/$kver"
	key=$(initramfs_key)
	INITRD=$WORK/kernel/$kver/initramfs-$key.gz
	KERNEL=$WORK/kernel/$kver/vmlinuz
	[[ -f $INITRD && -f $KERNEL ]] || build_initramfs "$kver" "$INITRD"
}

# Package installs and cache builds are serialized across concurrent runs.
setup_locked() {
	local t0 lockfd
	t0=$(now)
	mkdir -p "$WORK"
	exec {lockfd}>"$WORK/lock"
	flock "$lockfd"
	ensure_packages
	command -v qemu-system-x86_64 >/dev/null || cannot_run "qemu-system-x86_64 not installed"
	# The initramfs has no libc: ldd must find no dynamic dependencies.
	if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
		cannot_run "/bin/busybox is not the static one (busybox-static)"
	fi
	prepare_boot_files
	exec {lockfd}>&-
	log "setup $(elapsed "$t0")"
}

# --- one run ----------------------------------------------------------------

# qemu option values are comma-separated: a literal comma is doubled.
qemu_escape() { printf '%s' "${1//,/,,}"; }

# Path of a raw image for disk N: the kept one if given, else a fresh one.
disk_image() {
	local keep=$1 size=$2 fresh=$3
	if [[ -n $keep ]]; then
		[[ -f $keep ]] || truncate -s "$size" "$keep"
		printf '%s' "$keep"
	else
		truncate -s "$size" "$fresh"
		printf '%s' "$fresh"
	fi
}

# The guest shadows these host directories with its own filesystems, so a
# script living there is copied into the share instead of run in place
# (the checkout itself is always made visible by guest/init).
guest_path_for() {
	local path=$1
	case $path in
	"$REPO"/*) printf '%s' "$path" ;;
	/tmp/* | /run/* | /dev/* | /proc/* | /sys/*)
		cp "$path" "$SHARE/job/script"
		printf '/run/vm/job/script'
		;;
	*) printf '%s' "$path" ;;
	esac
}

write_job() {
	local script=$1
	shift
	mkdir -p "$SHARE/job" "$SHARE/out"
	cp "$HERE/guest/run.sh" "$SHARE/job/run.sh"
	printf '%s\n' "$REPO" >"$SHARE/job/repo"
	printf '%s\0' "$(guest_path_for "$script")" "$@" >"$SHARE/job/argv"
	if [[ $INIT == systemd ]]; then : >"$SHARE/job/systemd"; fi
	: >"$SHARE/stdout"
	: >"$SHARE/stderr"
}

qemu_command() {
	# shellcheck disable=SC2054 # the commas are qemu's, inside one argument
	QEMU=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
		-machine q35 -accel tcg,thread=multi -cpu "$CPU_MODEL" -smp "$CPUS" -m "$MEM"
		-display none -monitor none -serial "file:$RUN/console.log"
		-kernel "$KERNEL" -initrd "$INITRD"
		-append "console=ttyS0 quiet loglevel=4 panic=-1 mitigations=off"
		-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
		-fsdev "local,id=share,path=$(qemu_escape "$SHARE"),security_model=none,multidevs=remap"
		-device virtio-9p-pci,fsdev=share,mount_tag=share
		-drive "file=$(qemu_escape "$(disk_image "$DISK" "$DISK_SIZE" "$RUN/vda.img")"),format=raw,if=virtio")
	if [[ -n $DISK2 || -n $DISK2_SIZE ]]; then
		QEMU+=(-drive "file=$(qemu_escape "$(disk_image "$DISK2" "${DISK2_SIZE:-$DISK_SIZE}" "$RUN/vdb.img")"),format=raw,if=virtio")
	fi
}

# Streams the guest's output files until qemu (pid $1) exits.
start_streams() {
	local pid=$1
	tail -c +1 -s 0.2 -f --pid="$pid" "$SHARE/stdout" &
	STREAM_PIDS=($!)
	tail -c +1 -s 0.2 -f --pid="$pid" "$SHARE/stderr" >&2 &
	STREAM_PIDS+=($!)
	if [[ $CONSOLE == 1 ]]; then
		tail -c +1 -s 0.2 -F --pid="$pid" "$RUN/console.log" 2>/dev/null >&2 &
		STREAM_PIDS+=($!)
	fi
}

show_console() {
	log "last lines of the guest console ($RUN/console.log):"
	tail -n 30 "$RUN/console.log" 2>/dev/null | sed 's/^/[guest] /' >&2 || true
}

# shellcheck disable=SC2317 # called through trap
on_exit() {
	local rc=$?
	if [[ -n ${QEMU_PID:-} ]]; then
		log "interrupted: stopping the VM"
		kill "$QEMU_PID" "${STREAM_PIDS[@]}" 2>/dev/null || true
		wait "$QEMU_PID" "${STREAM_PIDS[@]}" 2>/dev/null || true
		copy_out || true # the units that finished before the interruption still count
	fi
	[[ -z ${RUN:-} ]] && return
	if [[ $KEEP == 1 ]]; then
		log "kept run directory $RUN"
	elif ((rc == 0)); then
		rm -rf "$RUN"
	else
		rm -f "$RUN/vda.img" "$RUN/vdb.img"
		log "logs kept in $RUN"
	fi
}

# Boots the VM, streams output, and exits with the scenario's status.
run_vm() {
	local t0 qrc=0 status
	t0=$(now)
	mkdir -p "$WORK/runs"
	RUN=$(mktemp -d "$WORK/runs/run.XXXXXX")
	SHARE=$RUN/share
	trap on_exit EXIT
	trap 'exit 130' INT TERM
	write_job "$@"
	qemu_command

	# timeout puts qemu in its own process group; on_exit kills it on ^C.
	timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$RUN/qemu.log" 2>&1 &
	QEMU_PID=$!
	start_streams "$QEMU_PID"
	wait "$QEMU_PID" || qrc=$?
	QEMU_PID=
	wait "${STREAM_PIDS[@]}" 2>/dev/null || true
	log_timings "$t0"

	if ((qrc == 124 || qrc == 137)); then
		copy_out || true # whatever the scenario wrote before the timeout
		show_console
		printf '\nREAL-LVM VM TIMEOUT: killed qemu after %ss (LVMSNAP_VM_TIMEOUT)\n\n' "$TIMEOUT" >&2
		exit 124
	fi
	if ((qrc != 0)); then
		sed 's/^/[qemu] /' "$RUN/qemu.log" >&2
		show_console
		cannot_run "qemu exited with status $qrc"
	fi
	if [[ ! -f $SHARE/started ]]; then
		show_console
		cannot_run "the guest never reached the scenario (boot failed)"
	fi
	copy_out
	if [[ ! -f $SHARE/status ]]; then
		show_console
		printf '\nREAL-LVM VM FAILURE: the scenario left no exit status (guest crashed?)\n\n' >&2
		exit 125
	fi
	status=$(<"$SHARE/status")
	[[ $status =~ ^[0-9]+$ ]] || { log "bad status file: $status"; exit 125; }
	exit "$status"
}

# Where the time went; the share files' mtimes come from the host clock.
log_timings() {
	local t0=$1 t_end started ended
	t_end=$(now)
	[[ -f $SHARE/started ]] || { log "VM run $(elapsed "$t0")"; return 0; }
	started=$(stat -c %.3Y "$SHARE/started")
	ended=$(stat -c %.3Y "$SHARE/status" 2>/dev/null || echo "$t_end")
	log "$(awk -v a="$t0" -v b="$started" -v c="$ended" -v d="$t_end" 'BEGIN {
		printf "VM run %.1fs: boot %.1fs, scenario %.1fs, poweroff %.1fs", d-a, b-a, c-b, d-c }')"
}

copy_out() {
	[[ -n $OUT_DIR && -d $SHARE/out ]] || return 0
	mkdir -p "$OUT_DIR"
	cp -r "$SHARE/out/." "$OUT_DIR/"
	# test/real/suite.sh packs each unit's trace into trace/UNIT.tar (one file on the share is much
	# cheaper for the guest than hundreds): unpacked here into trace/UNIT/.
	local t
	for t in "$OUT_DIR"/trace/*.tar; do
		[[ -f $t ]] || continue
		tar -C "$OUT_DIR/trace" -xf "$t" && rm -f "$t" || log "cannot unpack $t"
	done
	log "copied \$VM_OUT to $OUT_DIR"
}

main() {
	(($# >= 1)) || usage
	[[ $1 != -h && $1 != --help ]] || usage
	local script
	script=$(realpath -e -- "$1") || { log "no such script: $1"; exit 2; }
	shift
	check_host
	setup_locked
	run_vm "$script" "$@"
}

main "$@"
