// Row templates of `lvm fullreport` (lvm2 2.03), field order and default values copied from a real
// report (fixtures/real-lvm/present.fullreport.json). report-lvm.ts overrides the fields it models;
// the rest keep these plausible constants, so the simulated rows carry exactly the real key set.
type Fields = ReadonlyArray<readonly [string, string]>;
const parse = (s: string): Fields => s.split('|').map((kv) => {
  const i = kv.indexOf('=');
  return [kv.slice(0, i), kv.slice(i + 1)] as const;
});

export const VG_FIELDS = parse(
  "vg_fmt=lvm2|vg_uuid=gONJXy-KOKZ-Lc0p-9IdE-0YkN-NiwQ-7HSKXQ|vg_name=vg0|vg_attr=wz--n-|vg_permissions=writeable|" +
  "vg_extendable=extendable|vg_exported=|vg_autoactivation=enabled|vg_partial=|vg_allocation_policy=normal|" +
  "vg_clustered=|vg_shared=|vg_size=482344960|vg_free=314572800|vg_sysid=|vg_systemid=|vg_lock_type=|" +
  "vg_lock_args=|vg_extent_size=4194304|vg_extent_count=115|vg_free_count=75|max_lv=0|max_pv=0|pv_count=2|" +
  "vg_missing_pv_count=0|lv_count=2|snap_count=1|vg_seqno=6|vg_tags=|vg_profile=|vg_mda_count=2|" +
  "vg_mda_used_count=2|vg_mda_free=519168|vg_mda_size=1044480|vg_mda_copies=unmanaged",
);

export const PV_FIELDS = parse(
  "pv_fmt=lvm2|pv_uuid=TdIOKu-lq7r-qTQI-YE4x-4B3c-Lcl0-khmhuP|dev_size=71303168|pv_name=/dev/loop0|pv_major=7|" +
  "pv_minor=0|pv_mda_free=519168|pv_mda_size=1044480|pv_ext_vsn=2|pe_start=1048576|pv_size=67108864|" +
  "pv_free=4194304|pv_used=62914560|pv_attr=a--|pv_allocatable=allocatable|pv_exported=|pv_missing=|" +
  "pv_pe_count=16|pv_pe_alloc_count=15|pv_tags=lvmsnap|pv_mda_count=1|pv_mda_used_count=1|pv_ba_start=0|" +
  "pv_ba_size=0|pv_in_use=used|pv_duplicate=|pv_device_id=|pv_device_id_type=",
);

export const LV_FIELDS = parse(
  "lv_uuid=jba3uA-0yCN-eXco-bH8i-MQ7K-mSW2-dyuMzV|lv_name=root_snap|lv_full_name=vg0/root_snap|" +
  "lv_path=/dev/vg0/root_snap|lv_dm_path=/dev/mapper/vg0-root_snap|lv_parent=|lv_layout=linear|" +
  "lv_role=public,snapshot,thicksnapshot|lv_initial_image_sync=|lv_image_synced=|lv_merging=|lv_converting=|" +
  "lv_allocation_policy=inherit|lv_allocation_locked=|lv_fixed_minor=|lv_skip_activation=|" +
  "lv_autoactivation=enabled|lv_when_full=|lv_active=active|lv_active_locally=active locally|lv_active_remotely=|" +
  "lv_active_exclusively=active exclusively|lv_major=-1|lv_minor=-1|lv_read_ahead=auto|lv_size=62914560|" +
  "lv_metadata_size=|seg_count=1|origin=root|origin_uuid=3gjRvC-LD8z-Ase6-3kji-OaVn-eipM-KG15Ea|" +
  "origin_size=104857600|lv_ancestors=root|lv_full_ancestors=root|lv_descendants=|lv_full_descendants=|" +
  "raid_mismatch_count=|raid_sync_action=|raid_write_behind=|raid_min_recovery_rate=|raid_max_recovery_rate=|" +
  "raidintegritymode=|raidintegrityblocksize=-1|integritymismatches=|move_pv=|move_pv_uuid=|convert_lv=|" +
  "convert_lv_uuid=|mirror_log=|mirror_log_uuid=|data_lv=|data_lv_uuid=|metadata_lv=|metadata_lv_uuid=|pool_lv=|" +
  "pool_lv_uuid=|lv_tags=lvmsnap|lv_profile=|lv_lockargs=|lv_time=2026-11-22 01:42:21 +0000|lv_time_removed=|" +
  "lv_host=(none)|lv_modules=snapshot|lv_historical=|writecache_block_size=-1|lv_kernel_major=253|" +
  "lv_kernel_minor=3|lv_kernel_read_ahead=131072|lv_permissions=writeable|lv_suspended=|" +
  "lv_live_table=live table present|lv_inactive_table=|lv_device_open=open|data_percent=0.02|snap_percent=0.02|" +
  "metadata_percent=|copy_percent=|sync_percent=|cache_total_blocks=|cache_used_blocks=|cache_dirty_blocks=|" +
  "cache_read_hits=|cache_read_misses=|cache_write_hits=|cache_write_misses=|kernel_cache_settings=|" +
  "kernel_cache_policy=|kernel_metadata_format=|lv_health_status=|kernel_discards=|lv_check_needed=unknown|" +
  "lv_merge_failed=|lv_snapshot_invalid=|vdo_operating_mode=|vdo_compression_state=|vdo_index_state=|" +
  "vdo_used_size=|vdo_saving_percent=|writecache_total_blocks=|writecache_free_blocks=|" +
  "writecache_writeback_blocks=|writecache_error=|lv_attr=swi-aos---",
);

export const PVSEG_FIELDS = parse(
  "pvseg_start=0|pvseg_size=25|pv_uuid=Hb34md-2cmJ-mNcS-AdsE-AU9J-ePed-bMwx5c|" +
  "lv_uuid=3gjRvC-LD8z-Ase6-3kji-OaVn-eipM-KG15Ea",
);

export const SEG_FIELDS = parse(
  "segtype=linear|stripes=1|data_stripes=1|reshape_len=|reshape_len_le=|data_copies=1|data_offset=|" +
  "new_data_offset=|parity_chunks=|stripe_size=0|region_size=0|chunk_size=4096|thin_count=|discards=|" +
  "cache_metadata_format=|cache_mode=|zero=unknown|transaction_id=|thin_id=|seg_start=0|seg_start_pe=0|" +
  "seg_size=62914560|seg_size_pe=15|seg_tags=|seg_pe_ranges=/dev/loop0:0-14|seg_le_ranges=/dev/loop0:0-14|" +
  "seg_metadata_le_ranges=|devices=/dev/loop0(0)|metadata_devices=|seg_monitor=monitored|cache_policy=|" +
  "cache_settings=|vdo_compression=|vdo_deduplication=|vdo_use_metadata_hints=|vdo_minimum_io_size=|" +
  "vdo_block_map_cache_size=|vdo_block_map_era_length=|vdo_use_sparse_index=|vdo_index_memory_size=|" +
  "vdo_slab_size=|vdo_ack_threads=|vdo_bio_threads=|vdo_bio_rotation=|vdo_cpu_threads=|vdo_hash_zone_threads=|" +
  "vdo_logical_threads=|vdo_physical_threads=|vdo_max_discard=|vdo_write_policy=|vdo_header_size=|" +
  "lv_uuid=jba3uA-0yCN-eXco-bH8i-MQ7K-mSW2-dyuMzV",
);


/** Strings JSON.stringify prints as they are, between quotes (no quote, backslash, control or surrogate). */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const json = (v: unknown): string => (typeof v === 'string' && PLAIN.test(v) ? `"${v}"` : JSON.stringify(v));

interface Plan { readonly given: readonly string[]; readonly keys: readonly string[]; readonly defaults: readonly string[]; readonly chunks: readonly string[] }

/**
 * JSON text of a row as lvm prints it (`{"k":"v", "k2":"v2"}`): every template key in template order,
 * with the value from `values` where it is given (not null/undefined), else the template's default.
 * Keys not in the template are ignored. Compiled per set of given keys into constant text chunks.
 */
export function rowFormat(fields: Fields): (values: Readonly<Record<string, string>>) => string {
  const index = new Map(fields.map(([k], i) => [k, i]));
  const pairs = fields.map(([k, def]) => [`${JSON.stringify(k)}:`, JSON.stringify(def)] as const);
  const plans = new Map<string, Plan>();
  const compile = (given: readonly string[]): Plan => {
    const slots = given.filter((k) => index.has(k)).sort((a, b) => index.get(a)! - index.get(b)!);
    const chunks: string[] = [];
    let text = '{';
    pairs.forEach(([key, def], i) => {
      text += `${i > 0 ? ', ' : ''}${key}`;
      if (slots.includes(fields[i]![0])) { chunks.push(text); text = ''; } else text += def;
    });
    chunks.push(`${text}}`);
    return { given, keys: slots, defaults: slots.map((k) => pairs[index.get(k)!]![1]), chunks };
  };
  let last: Plan | null = null;
  const planFor = (values: Readonly<Record<string, string>>): Plan => {
    // Each call site passes the same keys every time: check them against the last plan first.
    const given = Object.keys(values);
    if (last !== null && given.length === last.given.length && given.every((k, i) => k === last!.given[i])) return last;
    const sig = given.join('\0');
    let plan = plans.get(sig);
    if (plan === undefined) plans.set(sig, (plan = compile(given)));
    return (last = plan);
  };
  return (values) => {
    const { keys, defaults, chunks } = planFor(values);
    const parts = new Array<string>(2 * keys.length + 1);
    parts[0] = chunks[0]!;
    for (let j = 0; j < keys.length; j++) {
      const v = values[keys[j]!];
      parts[2 * j + 1] = v === undefined || v === null ? defaults[j]! : json(v);
      parts[2 * j + 2] = chunks[j + 1]!;
    }
    return parts.join('');
  };
}
