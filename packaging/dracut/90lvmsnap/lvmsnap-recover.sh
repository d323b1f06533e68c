#!/bin/sh
# lvmsnap boot-time recovery in the initramfs, for a volume group that holds the root filesystem.
#
# A loop PV does not survive a reboot. If the host went down with an lvmsnap chain in place, the VG
# comes up missing that PV, and LVM activates nothing in it (event activation) or refuses the
# snapshot's origin ("Refusing activation of partial LV"): a root origin never comes up. This script
# repairs such a VG before anything activates it, and only when the repair is provably lvmsnap's own:
#   - every missing PV of the VG carries lvmsnap's tag "lvmsnap", and
#   - every LV with extents on a missing PV is a snapshot tagged "lvmsnap".
# Then it runs `lvm lvremove --yes VG/SNAPSHOT` for those snapshots, `lvm vgreduce --yes
# --removemissing VG` (never --force: that deletes the partial origin) and `lvm vgchange -aay VG`,
# and boot goes on as usual. In any other case it changes nothing and prints why.
# (A missing PV without the tag, e.g. lost in the instant between lvmsnap's vgextend and pvchange,
# cannot be proven lvmsnap's here: the target-derived PV UUID needs the tmp file's path, which only
# the booted system knows. Run `lvmsnap recover` from the booted system, or repair by hand.)
#
# Shipped as initramfs-tools scripts/local-top/lvmsnap and, the same file, as the dracut hook
# initqueue/settled/00-lvmsnap-recover.sh (dracut *sources* it: no exit, no top-level variables
# except lvmsnap_*). Needs only POSIX sh and `lvm` (works under busybox sh and klibc sh).
# Installed by `lvmsnap initramfs install`.

PREREQ="cryptroot"
if [ "${1-}" = prereqs ]; then
	echo "$PREREQ"
	exit 0
fi

lvmsnap_say() {
	echo "lvmsnap: $*"
}

# Prints each refusal once per boot (dracut runs this hook on every pass of its initqueue).
# LVMSNAP_RUN_DIR is for tests only.
lvmsnap_refuse() { # VG REASON
	lvmsnap_mark="${LVMSNAP_RUN_DIR:-/run}/lvmsnap-initramfs-refused-$1"
	[ -e "$lvmsnap_mark" ] && return 0
	: >"$lvmsnap_mark" 2>/dev/null
	lvmsnap_say "not repairing VG $1: $2; nothing changed."
	lvmsnap_say "if that PV was only temporary: 'lvm lvremove $1/LV' for each snapshot on it, then 'lvm vgreduce --removemissing $1' (never --force: it deletes partial origins), then 'lvm vgchange -aay $1'."
}

lvmsnap_has_tag() { # TAGS(comma-separated) TAG
	case ",$1," in
	*",$2,"*) return 0 ;;
	esac
	return 1
}

lvmsnap_trim() { # sets lvmsnap_t to $1 without leading blanks (lvm indents report lines)
	lvmsnap_t=$1
	while :; do
		case $lvmsnap_t in
		" "* | "	"*) lvmsnap_t=${lvmsnap_t#?} ;;
		*) break ;;
		esac
	done
}

# Repairs one VG if every missing PV and every LV on one is lvmsnap's; $lvmsnap_rows holds the
# report lines (vg|pv_uuid|pv_missing|pv_tags|lv_name|lv_tags|lv_attr, one per PV segment).
lvmsnap_repair_vg() { # VG
	lvmsnap_vg=$1
	lvmsnap_snaps=
	lvmsnap_why=
	while IFS='|' read -r lvmsnap_rvg lvmsnap_uuid lvmsnap_missing lvmsnap_ptags lvmsnap_lv lvmsnap_ltags lvmsnap_attr; do
		lvmsnap_trim "$lvmsnap_rvg"
		[ "$lvmsnap_t" = "$lvmsnap_vg" ] || continue
		[ "$lvmsnap_missing" = missing ] || continue
		if ! lvmsnap_has_tag "$lvmsnap_ptags" lvmsnap; then
			lvmsnap_why="missing PV $lvmsnap_uuid does not carry lvmsnap's tag (not lvmsnap's, or not provably)"
			break
		fi
		[ -n "$lvmsnap_lv" ] || continue # free extents
		case $lvmsnap_attr in
		s* | S*) ;;
		*)
			lvmsnap_why="LV $lvmsnap_vg/$lvmsnap_lv has extents on the missing PV $lvmsnap_uuid and is not a snapshot"
			break
			;;
		esac
		if ! lvmsnap_has_tag "$lvmsnap_ltags" lvmsnap; then
			lvmsnap_why="snapshot $lvmsnap_vg/$lvmsnap_lv has extents on the missing PV $lvmsnap_uuid and was not created by lvmsnap (no lvmsnap tag)"
			break
		fi
		case " $lvmsnap_snaps " in
		*" $lvmsnap_lv "*) ;;
		*) lvmsnap_snaps="$lvmsnap_snaps $lvmsnap_lv" ;;
		esac
	done <<EOF
$lvmsnap_rows
EOF
	if [ -n "$lvmsnap_why" ]; then
		lvmsnap_refuse "$lvmsnap_vg" "$lvmsnap_why"
		return 1
	fi
	lvmsnap_say "VG $lvmsnap_vg is missing lvmsnap's loop PV (lost at the last shutdown); removing lvmsnap's snapshot(s)${lvmsnap_snaps:- (none)} and the missing PV"
	for lvmsnap_lv in $lvmsnap_snaps; do
		lvmsnap_say "lvm lvremove --yes $lvmsnap_vg/$lvmsnap_lv"
		if ! lvm lvremove --yes "$lvmsnap_vg/$lvmsnap_lv"; then
			lvmsnap_say "lvremove of $lvmsnap_vg/$lvmsnap_lv failed; stopping (no vgreduce). Run 'lvmsnap recover --vg $lvmsnap_vg' once booted."
			return 1
		fi
	done
	lvmsnap_say "lvm vgreduce --yes --removemissing $lvmsnap_vg"
	if ! lvm vgreduce --yes --removemissing "$lvmsnap_vg"; then
		lvmsnap_say "vgreduce --removemissing $lvmsnap_vg failed; the VG still misses a PV. Never add --force (it deletes the origin)."
		return 1
	fi
	# Event activation already saw this VG incomplete and will not come back to it.
	lvmsnap_say "lvm vgchange -aay $lvmsnap_vg"
	lvm vgchange -aay "$lvmsnap_vg" || lvmsnap_say "vgchange -aay $lvmsnap_vg failed"
	lvmsnap_say "VG $lvmsnap_vg repaired; its origin LVs and their data are untouched"
	return 0
}

lvmsnap_main() {
	if ! command -v lvm >/dev/null 2>&1; then
		lvmsnap_say "no lvm in the initramfs; nothing checked"
		return 0
	fi
	# One line per PV segment; a missing PV still shows its tags (they live in the VG metadata).
	if ! lvmsnap_rows=$(lvm pvs --segments --noheadings --separator '|' \
		-o vg_name,pv_uuid,pv_missing,pv_tags,lv_name,lv_tags,lv_attr 2>/dev/null); then
		lvmsnap_say "'lvm pvs' failed; nothing checked"
		return 0
	fi
	lvmsnap_vgs=
	while IFS='|' read -r lvmsnap_rvg lvmsnap_uuid lvmsnap_missing lvmsnap_rest; do
		[ "$lvmsnap_missing" = missing ] || continue
		lvmsnap_trim "$lvmsnap_rvg"
		case " $lvmsnap_vgs " in
		*" $lvmsnap_t "*) ;;
		*) lvmsnap_vgs="$lvmsnap_vgs $lvmsnap_t" ;;
		esac
	done <<EOF
$lvmsnap_rows
EOF
	for lvmsnap_v in $lvmsnap_vgs; do
		lvmsnap_repair_vg "$lvmsnap_v" || :
	done
	return 0
}

lvmsnap_main
