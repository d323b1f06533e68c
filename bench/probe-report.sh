#!/usr/bin/env bash
# Exploratory: the report's cost by field set, and where lvmsnap absent/present spend their time
# (per-command ms from --json, against the run's wall time).
#   test/real/vm.sh bench/probe-report.sh CLI [ROUNDS]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/probe-lib.sh"
CLI=$1
ROUNDS=${2:-5}
out=/tmp/probe; mkdir -p $out
FR=(fullreport --units b --nosuffix --reportformat json --configreport vg -o vg_all --configreport pv -o pv_all --configreport lv -o lv_all --configreport pvseg -o pvseg_all,pv_uuid,lv_uuid --configreport seg -o seg_all,lv_uuid)
VGF=vg_name,vg_uuid,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count,vg_attr,vg_partial,vg_missing_pv_count
PVF=pv_uuid,pv_name,pv_size,pv_free,pv_pe_count,pv_pe_alloc_count,pv_tags,pv_missing,pv_attr
LVF=lv_uuid,lv_attr,lv_name,lv_path,lv_dm_path,lv_size,origin,lv_snapshot_invalid,snap_percent,lv_active,lv_tags,lv_kernel_major,lv_kernel_minor,lv_skip_activation,pool_lv,data_percent,metadata_percent
LVF0=lv_uuid,lv_attr,lv_name,lv_path,lv_dm_path,lv_size,origin,lv_tags,lv_kernel_major,lv_kernel_minor,lv_skip_activation,pool_lv
FRN=(fullreport --units b --nosuffix --reportformat json --configreport vg -o $VGF --configreport pv -o $PVF --configreport lv -o $LVF --configreport pvseg -o pv_uuid --configreport seg -o lv_uuid,segtype,devices)
FRN0=(fullreport --units b --nosuffix --reportformat json --configreport vg -o $VGF --configreport pv -o $PVF --configreport lv -o $LVF0 --configreport pvseg -o pv_uuid --configreport seg -o lv_uuid,segtype,devices)
ms() { local t0 t1; t0=${EPOCHREALTIME/./}; "$@" >/dev/null 2>$out/err || echo "FAILED($?): $* $(head -3 $out/err)" >&2; t1=${EPOCHREALTIME/./}; echo $(((t1 - t0) / 1000)); }
declare -A R
add() { R[$1]+="$2 "; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
node -e 0; lvm version >/dev/null; lvm "${FR[@]}" >/dev/null; lvm "${FRN[@]}" > $out/frn.json || echo "FRN FAILED"
head -c 600 $out/frn.json; echo
lvm "${FR[@]}" | wc -c; lvm "${FRN[@]}" | wc -c
node "$CLI" apply --state present "${TARGET[@]}" >/dev/null || echo "present failed"
node "$CLI" apply --state absent "${TARGET[@]}" >/dev/null || echo "absent failed"
for ((i=1;i<=ROUNDS;i++)); do
  add a_node0 $(ms node -e 0)
  add a_lvmversion $(ms lvm version)
  add b_fr_all_nochain $(ms lvm "${FR[@]}")
  add b_fr_narrow_nochain $(ms lvm "${FRN[@]}")
  add b_fr_narrow0_nochain $(ms lvm "${FRN0[@]}")
  t0=${EPOCHREALTIME/./}; node "$CLI" apply --state present "${TARGET[@]}" --json > $out/p$i.json; t1=${EPOCHREALTIME/./}
  add c_present_wall $(((t1 - t0) / 1000))
  add b_fr_all_chain $(ms lvm "${FR[@]}")
  add b_fr_narrow_chain $(ms lvm "${FRN[@]}")
  add b_fr_narrow0_chain $(ms lvm "${FRN0[@]}")
  add b_lvs_chain $(ms lvs)
  t0=${EPOCHREALTIME/./}; node "$CLI" apply --state absent "${TARGET[@]}" --json > $out/a$i.json; t1=${EPOCHREALTIME/./}
  add c_absent_wall $(((t1 - t0) / 1000))
  t0=${EPOCHREALTIME/./}; node "$CLI" apply --state absent "${TARGET[@]}" --json > $out/n$i.json; t1=${EPOCHREALTIME/./}
  add c_noop_wall $(((t1 - t0) / 1000))
  for k in p a n; do
    jq -r --arg k $k '.commands[] | "\($k)_" + (.argv[0:2] | join("_")) + " " + (.ms|tostring)' $out/$k$i.json > $out/cm
    while read -r name v; do add "d_${name//\//_}" "$v"; done < $out/cm
  done
  echo "round $i" >&2
done
for k in $(printf '%s\n' "${!R[@]}" | sort); do printf '%-34s median %6s  all: %s\n' $k $(echo ${R[$k]} | median) "${R[$k]}"; done
stop_writer 2>/dev/null || true
