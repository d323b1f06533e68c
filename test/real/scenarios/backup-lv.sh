# shellcheck shell=bash
# lvmsnap backup --format lv on real LVM (issue 13, item 2; helpers from backup.sh). Spec backup:lv.
#   backup --format lv --dest-lv vg0/rootcopy creates the LV (tag lvmsnap_backup, the origin's size), copies the
#   snapshot with dd, the manifest says complete with the sha256 of the copy, which is the (unmounted) origin's;
#   the chain is gone; a second run reuses the LV; an untagged LV is refused (exit 3) and left unchanged;
#   backups restore /dev/vg0/rootcopy --to FILE gives a file with the origin device's sha256; onto a smaller
#   LV it is refused (exit 3) and that LV is unchanged.
# Not traced for test/real/differential.ts (like backup.sh): it runs the CLI directly.

scen_backup_lv() {
	local want man
	setup_system ext4 free
	fill_origin
	# Unmounted, the origin does not change under the snapshot (ext4's lazy init, journal commits), so the
	# copy's hash must be the origin device's.
	umount "$ORIGIN_MNT"
	want=$(sha256sum -b <"/dev/$VG/$LV" | cut -d' ' -f1)
	bk_expect 0 backup --vg "$VG" --lv "$LV" --size 40M --format lv --dest-lv "$VG/rootcopy" --json
	jq -e '.created == true and .manifest.state == "complete"' "$BK_OUT" >/dev/null || fail "backup --format lv: $(cat "$BK_OUT")"
	assert_eq "$want" "$(jq -r .sha256 "$BK_OUT")" "the copy's sha256 (manifest) is the origin device's"
	man=$(jq -r .manifestPath "$BK_OUT")
	assert_eq complete "$(jq -r .state "$man")" "manifest $man"
	assert_eq "lvmsnap_backup,lvmsnap_backup_of_${VG}_${LV}" "$(lvs --noheadings -o lv_tags "$VG/rootcopy" | tr -d ' ')" "tags of the backup LV"
	assert_eq "$(lvs --noheadings --units b --nosuffix -o lv_size "$VG/$LV" | tr -d ' ')" "$(lvs --noheadings --units b --nosuffix -o lv_size "$VG/rootcopy" | tr -d ' ')" "backup LV size"
	no_chain "after backup --format lv"
	assert_eq "$want" "$(sha256sum -b <"/dev/$VG/rootcopy" | cut -d' ' -f1)" "sha256 of the backup LV"
	bk_expect 0 backup --vg "$VG" --lv "$LV" --size 40M --format lv --dest-lv "$VG/rootcopy" --json
	jq -e '.created == false' "$BK_OUT" >/dev/null || fail "second run: $(cat "$BK_OUT")"
	no_chain "after the second backup --format lv"
	lvcreate -q --yes -L 100M -n foreign "$VG" >/dev/null
	bk_expect 3 backup --vg "$VG" --lv "$LV" --size 40M --format lv --dest-lv "$VG/foreign"
	grep -q 'lvmsnap did not create it' "$BK_ERR" || fail "foreign LV refusal: $(cat "$BK_ERR")"
	assert_eq "" "$(lvs --noheadings -o lv_tags "$VG/foreign" | tr -d ' ')" "the foreign LV is untouched"
	bk_expect 0 backups restore "/dev/$VG/rootcopy" --to /tmp/rootcopy.img --json
	assert_eq "$want" "$(sha256sum -b </tmp/rootcopy.img | cut -d' ' -f1)" "the restored image's sha256 is the origin device's"
	# Onto a smaller LV (found by its device-mapper name in sysfs): refused before the first write.
	local small_sum
	lvcreate -q --yes -L 52M -n small "$VG" >/dev/null
	small_sum=$(sha256sum -b <"/dev/$VG/small" | cut -d' ' -f1)
	bk_expect 3 backups restore "/dev/$VG/rootcopy" --to "/dev/$VG/small"
	grep -q 'smaller than the image' "$BK_ERR" || fail "restore onto a smaller LV: $(cat "$BK_ERR")"
	assert_eq "$small_sum" "$(sha256sum -b <"/dev/$VG/small" | cut -d' ' -f1)" "the smaller LV is unchanged after the refused restore"
	rm -f /tmp/rootcopy.img "$man"
	lvremove -q --yes "$VG/rootcopy" "$VG/foreign" "$VG/small" >/dev/null
	mount "/dev/$VG/$LV" "$ORIGIN_MNT"
}
