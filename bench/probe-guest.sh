#!/usr/bin/env bash
# Exploratory, not part of bench:real: where an lvm run's time goes in the VM. Times, alternating, the
# report (lvmsnap's fullreport argv) forked, with config overrides (udev device list off, component
# detection off, both, a devices filter), --readonly, --nolocking, through the lvm shell; `lvm version`
# (lvm's start alone); node -e 0 and the CLI's --version, status and a converged apply; then an strace
# of one report (syscall counts, gaps). README "Performance" quotes it.
#   test/real/vm.sh bench/probe-guest.sh CLI [ROUNDS]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
CLI=$1
ROUNDS=${2:-5}
out=/tmp/probe; mkdir -p $out
FR=(fullreport --units b --nosuffix --reportformat json --configreport vg -o vg_all --configreport pv -o pv_all --configreport lv -o lv_all --configreport pvseg -o pvseg_all,pv_uuid,lv_uuid --configreport seg -o seg_all,lv_uuid)
echo "uname $(uname -r); nproc $(nproc); ls /dev block devs:"; ls /sys/block | tr '\n' ' '; echo
lvmconfig --type diff 2>&1 | head -30
echo "--- effective devices/global config:"
lvmconfig --type current devices/obtain_device_list_from_udev devices/external_device_info_source devices/use_devicesfile devices/scan global/use_lvmlockd global/locking_dir global/event_activation devices/multipath_component_detection devices/md_component_detection devices/fw_raid_component_detection devices/sysfs_scan global/use_lvmetad 2>&1
echo "udev: $(ls /run/udev 2>&1 | head -3)"
ms() { local t0 t1; t0=${EPOCHREALTIME/./}; "$@" >/dev/null 2>$out/err || echo "FAILED($?): $* $(head -3 $out/err)" >&2; t1=${EPOCHREALTIME/./}; echo $(((t1 - t0) / 1000)); }
declare -A R
add() { R[$1]+="$2 "; }
CU='devices/obtain_device_list_from_udev=0'
NOMC='devices{multipath_component_detection=0 md_component_detection=0 fw_raid_component_detection=0}'
BOTH="devices{obtain_device_list_from_udev=0 multipath_component_detection=0 md_component_detection=0 fw_raid_component_detection=0}"
ENVS=(env LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1)
shellrun() { printf '%s\n' "$*" | env LVM_REPORT_FD=3 LVM_COMMAND_PROFILE=lvmdbusd LVM_LOG_FILE_MAX_LINES=0 lvm 3>/dev/null; }
node -e 0; lvm version >/dev/null; lvm "${FR[@]}" >/dev/null
for ((i=1;i<=ROUNDS;i++)); do
  add node0 $(ms node -e 0)
  add lvmversion $(ms lvm version)
  add lvmnoop $(ms lvm config --type diff)
  add fr $(ms lvm "${FR[@]}")
  add fr_udev0 $(ms lvm "${FR[@]}" --config "$CU")
  add fr_ro $(ms lvm "${FR[@]}" --readonly)
  add fr_nolock $(ms lvm "${FR[@]}" --nolocking)
  add fr_nomc $(ms lvm "${FR[@]}" --config "$NOMC")
  add fr_both $(ms lvm "${FR[@]}" --config "$BOTH")
  add fr_both_ro $(ms lvm "${FR[@]}" --config "$BOTH" --readonly)
  add fr_filter $(ms lvm "${FR[@]}" --config 'devices{filter=["a|^/dev/vd|","a|^/dev/loop|","r|.*|"]}')
  add fr_shell $(ms shellrun "${FR[*]}")
  add vgs $(ms vgs)
  add cli_version $(ms node "$CLI" --version)
  add cli_status $(ms node "$CLI" status "${TARGET[@]}")
  add cli_noop $(ms node "$CLI" apply --state absent "${TARGET[@]}")
  add cli_status_json $(ms node "$CLI" status "${TARGET[@]}" --json)
  echo "round $i" >&2
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for k in $(printf '%s\n' "${!R[@]}" | sort); do printf '%-16s median %6s  all: %s\n' $k $(echo ${R[$k]} | median) "${R[$k]}"; done
node "$CLI" status "${TARGET[@]}" --json | jq -c '.commands'
echo "--- strace -c lvm fullreport"
strace -f -c -o $out/sc lvm "${FR[@]}" >/dev/null; head -30 $out/sc
echo "--- strace timeline (relative, opens and reads of devices)"
strace -f -tt -e trace=execve,openat,open,read,pread64,ioctl,readlink,stat,newfstatat,flock,fsync,fdatasync -o $out/st lvm "${FR[@]}" >/dev/null
wc -l $out/st; grep -c 'openat' $out/st; grep -o 'openat([^"]*"[^"]*"' $out/st | sed 's/.*"//' | sed 's|/[^/]*$||' | sort | uniq -c | sort -rn | head -20
head -3 $out/st; tail -3 $out/st
echo "--- gaps > 20 ms in the timeline"
awk '{ split($2,t,":"); s=t[1]*3600+t[2]*60+t[3]; if (p && s-p > 0.02) printf "%.3f gap before: %s\n", s-p, $0; p=s }' $out/st | head -40
echo "--- ltrace-ish: time to main (LD_DEBUG=statistics)"
LD_DEBUG=statistics lvm version 2>&1 | grep -i 'total startup\|relocation' | head
echo "--- node: time to load the bundle"
for i in 1 2 3; do node -e 't=process.hrtime.bigint();process.argv=[process.argv[0],"x","--version"];require("'"${CLI%/bin/lvmsnap.cjs}"'/dist/lvmsnap.cjs");process.on("exit",()=>console.error("load+run ms",Number(process.hrtime.bigint()-t)/1e6))' >/dev/null; done
stop_writer 2>/dev/null || true
