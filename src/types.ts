// Shared data types: the desired state (config), the observed system, the journal and the plan.
// Everything here is plain readonly data so that plans can be printed, compared and rehearsed.

export type DesiredState = 'present' | 'absent';
export type AllocateMode = 'auto' | 'fallocate' | 'zero';

/** A size as the user wrote it, resolved to bytes once the origin is known. */
export type SizeSpec =
  | { readonly kind: 'bytes'; readonly bytes: number }
  | { readonly kind: 'percentOrigin'; readonly percent: number };

/** The validated target: what the user wants to exist (or not). */
export interface Target {
  readonly vg: string;
  readonly lv: string;
  readonly snapshot: string;
  readonly size: SizeSpec;
  readonly mountpoint?: string;
  readonly mountOptions?: string;
  readonly tmpFile?: string;
  readonly tmpFileSize?: number;
  readonly loopDevice?: string;
  /** A spare whole block device (e.g. /dev/sdb) that lends the COW space as a PV instead of a tmp file. */
  readonly cowDevice?: string;
  readonly allocate: AllocateMode;
  readonly removeMountpoint: boolean;
  readonly stateDir: string;
  /** size was given explicitly (not the 20%ORIGIN default): a thin origin then gets a classic COW snapshot. */
  readonly sizeGiven?: true;
  /** Refuse a thin snapshot when the pool's data or metadata usage is above this percent (default 90). */
  readonly thinPoolThreshold?: number;
}

// ---- observed system -------------------------------------------------------------------------

export interface ObservedVg {
  readonly name: string;
  readonly uuid: string;
  readonly sizeBytes: number;
  readonly freeBytes: number;
  readonly extentSize: number;
  readonly extentCount: number;
  readonly freeExtents: number;
  readonly partial: boolean;
  readonly missingPvCount: number;
}

export interface ObservedPv {
  readonly uuid: string;
  /** Device path, or "[unknown]" when the PV's device is missing. */
  readonly name: string;
  /** VG the PV belongs to, or null for an orphan PV. */
  readonly vg: string | null;
  readonly sizeBytes: number;
  readonly freeBytes: number;
  readonly peCount: number;
  readonly peAllocCount: number;
  readonly tags: readonly string[];
  readonly missing: boolean;
}

export interface ObservedLv {
  readonly uuid: string;
  readonly vg: string;
  readonly name: string;
  readonly path: string;
  readonly dmPath: string;
  readonly attr: string;
  readonly sizeBytes: number;
  /** Name of the origin LV when this LV is a snapshot, else null. */
  readonly origin: string | null;
  readonly isSnapshot: boolean;
  readonly snapshotInvalid: boolean;
  readonly snapPercent: number | null;
  readonly active: boolean;
  readonly tags: readonly string[];
  /** PV names the LV's segments sit on ("[unknown]" for a missing PV). */
  readonly devices: readonly string[];
  /** "MAJ:MIN" of the active device-mapper node, or null when inactive. */
  readonly majMin: string | null;
  /** Thin provisioning: set only for a thin pool or a thin LV (a thin snapshot is a thin LV with an origin). */
  readonly thin?: ThinInfo;
  /** The activation-skip flag (lv_attr 'k'): set only when on; such an LV is not activated without -K. */
  readonly activationSkip?: true;
}

export interface ThinInfo {
  /** 'pool': a thin pool (segtype thin-pool); 'volume': a thin LV in a pool (segtype thin). */
  readonly kind: 'pool' | 'volume';
  /** The pool a thin volume lives in (pool_lv); null for a pool. */
  readonly pool: string | null;
  /** data_percent: of a pool, its data usage; of a thin volume, how much of its virtual size is mapped. */
  readonly dataPercent: number | null;
  /** metadata_percent of a pool (null for thin volumes and inactive pools). */
  readonly metadataPercent: number | null;
}

export interface ObservedLoop {
  readonly name: string;
  /** Backing file path, with any " (deleted)" suffix removed. */
  readonly backFile: string;
  readonly backFileDeleted: boolean;
}

export interface ObservedMount {
  readonly target: string;
  readonly source: string;
  readonly fstype: string;
  readonly options: readonly string[];
  readonly majMin: string;
}

export type PathType = 'file' | 'directory' | 'block' | 'other';

export interface ObservedPath {
  readonly path: string;
  readonly type: PathType;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  /** Mount point of the filesystem holding the path (stat %m). */
  readonly mountPoint: string;
}

/** Free space and type of the filesystem that would hold the tmp file (df). */
export interface ObservedFs {
  readonly source: string;
  readonly fstype: string;
  readonly availBytes: number;
  readonly target: string;
}

/** What lvmsnap wrote down about the objects it created (one file per snapshot). */
export interface Journal {
  readonly version: 1;
  readonly vg: string;
  readonly snapshot: string;
  /** The origin LV (lets `recover` reactivate it when the snapshot is already gone; absent in old journals). */
  readonly lv?: string;
  /** Set (bare, without dev/ino) before the tmp file is created; dev/ino are filled in right after. See resources/tmp-file.ts. */
  readonly tmpFile?: { readonly path: string; readonly dev?: number; readonly ino?: number };
  /** Set before lvmsnap creates the mountpoint directory. */
  readonly createdMountpoint?: string;
  /**
   * The origin LV (name) that a reboot left inactive, set before `vgreduce --removemissing` removes the
   * missing loop PV (the only other evidence) and cleared once the origin is active again.
   */
  readonly reactivateOrigin?: string;
}

/** One observation pass: everything the planner may look at. */
export interface SystemSnapshot {
  readonly uid: number;
  readonly vgs: readonly ObservedVg[];
  readonly pvs: readonly ObservedPv[];
  readonly lvs: readonly ObservedLv[];
  readonly loops: readonly ObservedLoop[];
  readonly mounts: readonly ObservedMount[];
  /** stat results keyed by path; a missing key means the path does not exist. */
  readonly paths: Readonly<Record<string, ObservedPath>>;
  /** df of the tmp file's directory, when a tmp file is configured and the directory exists. */
  readonly tmpFs: ObservedFs | null;
  /** First free loop device (losetup --find), when one may be needed. */
  readonly freeLoop: string | null;
  /** Filesystem type of the origin LV (findmnt or blkid), or null if unknown. */
  readonly originFstype: string | null;
  readonly journal: Journal | null;
  /** The spare block device of --cow-device, as the kernel shows it; only observed with one. */
  readonly cowDevice?: ObservedBlockDevice;
  /** The shutdown guard for the tmp file's directory; only observed with a tmp file (absent: not observed). */
  readonly guard?: GuardState | null;
}

/** A block device as sysfs, mountinfo and blkid show it (src/cow-device/observe.ts). */
export interface ObservedBlockDevice {
  /** The path as given (/dev/sdb, /dev/disk/by-id/NAME). */
  readonly path: string;
  /** The path with its symlinks followed (a /dev/disk/by-* link -> /dev/sdb): the kernel's device, which
   *  sysfs, blkid and LVM's report name; path itself when it is no symlink. For a dangling link, the
   *  missing path it points to (type null). */
  readonly device: string;
  /** lstat type of device (the link's target), or null when it does not exist. */
  readonly type: PathType | null;
  /** /sys/class/block/NAME/size in bytes, or null when sysfs has no such device. */
  readonly sizeBytes: number | null;
  readonly majMin: string | null;
  /** Partitions of the device (sysfs NAME/NAMEp), with their MAJ:MIN. */
  readonly partitions: readonly { readonly name: string; readonly majMin: string | null }[];
  /** Devices stacked on it (sysfs holders/: dm-N, md0, ...), of the device and of its partitions. */
  readonly holders: readonly string[];
  /** Every signature blkid's low-level probe finds (TYPE and PTTYPE values: ext4, LVM2_member, gpt, ...). */
  readonly signatures: readonly string[];
}

/** systemd's view of lvmsnap's shutdown guard unit (src/reboot/systemd.ts). */
export interface GuardState {
  /** systemd is PID 1 (/run/systemd/system exists); when false the other fields mean nothing. */
  readonly running: boolean;
  readonly unit: string;
  /** LoadState: 'loaded', 'not-found', ... ('unknown' when systemd does not run). */
  readonly load: string;
  /** ActiveState: 'active', 'inactive', 'failed', ... */
  readonly active: string;
}

// ---- resources and plans ---------------------------------------------------------------------

export const RESOURCE_KINDS = ['TmpFile', 'LoopDevice', 'PvInVg', 'Snapshot', 'Mountpoint'] as const;
/** The chain's resources, plus the host-level shutdown guard that `present` starts (not part of the chain),
 *  plus a backup's archive file (with its .sha256 and .json) in a backup's file plans (src/backup/file-plan.ts). */
export type ResourceKind = (typeof RESOURCE_KINDS)[number] | 'ShutdownGuard' | 'Archive';

/**
 * A resource's observed status.
 * - absent: nothing there; create may run.
 * - present: ours and healthy.
 * - partial: ours but a create was interrupted; create completes it.
 * - degraded: ours but broken (invalid snapshot, missing PV); must be destroyed (and recreated for present).
 * - foreign: something lvmsnap did not create is in the way; never touched.
 * - unused: the target does not use this resource (no tmp file, no mountpoint).
 */
export type ResourceStatus = 'absent' | 'present' | 'partial' | 'degraded' | 'foreign' | 'unused';

export interface ResourceView {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly status: ResourceStatus;
  /** Human-readable facts about the observed object (for status and --json). */
  readonly observed: Readonly<Record<string, unknown>> | null;
  readonly reason?: string;
}

/** A single side effect, as data. Only the applier interprets these. */
export type Step =
  | { readonly type: 'exec'; readonly argv: readonly string[]; readonly progress?: boolean }
  | { readonly type: 'journal'; readonly set: Partial<Omit<Journal, 'version' | 'vg' | 'snapshot'>>; readonly clear?: readonly ('tmpFile' | 'createdMountpoint' | 'reactivateOrigin')[] }
  | { readonly type: 'recordFileIdentity'; readonly path: string }
  /** A small file lvmsnap owns (a backup's .sha256 and manifest): written whole, 0600, atomically and durably. */
  | { readonly type: 'writeFile'; readonly path: string; readonly content: string };

/** grow: only in a backup's grow plan (src/backup/grow.ts): a present resource gets bigger, keeping its ownership. */
export type Action = 'create' | 'destroy' | 'grow' | 'ok' | 'refuse';

export interface PlannedChange {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly action: Action;
  readonly before: ResourceStatus;
  readonly after: ResourceStatus;
  readonly reason: string;
  readonly steps: readonly Step[];
}

export interface Plan {
  readonly state: DesiredState;
  readonly changes: readonly PlannedChange[];
  /** Refusals found before anything would change; non-empty means nothing runs. */
  readonly refusals: readonly string[];
}
