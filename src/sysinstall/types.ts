// src/sysinstall/ owns putting lvmsnap's shipped integration files (packaging/: the systemd shutdown
// guard and boot unit, the initramfs-tools hook and script, the dracut module) in place on a host, and
// rebuilding the initramfs. Like the reconciler, it observes read-only first, builds a plan (data),
// and one applier (apply.ts) runs it; --check prints the same plan. It is outside the LVM model: its
// commands (install, systemctl, update-initramfs, dracut) touch /etc, /usr/lib and /boot only.
//
// types.ts: the plan's shape. probe.ts: read-only observation. systemd.ts / initramfs.ts: planners.
// apply.ts: the applier. render.ts: human and --json output. run.ts: the entry the CLI calls.

export type InstallWhat = 'systemd' | 'initramfs';

/** Copy one shipped file into place (install -D -m MODE), or a command that changes the system. */
export type InstallStep =
  | { readonly type: 'install'; readonly source: string; readonly dest: string; readonly mode: '0644' | '0755'; readonly reason: string }
  | { readonly type: 'exec'; readonly argv: readonly string[]; readonly reason: string; readonly progress?: boolean };

/** A shipped file already in place with the right content and mode. */
export interface UpToDate {
  readonly dest: string;
  readonly source: string;
}

export interface InstallPlan {
  readonly what: InstallWhat;
  /** What the host was found to be: "systemd", "initramfs-tools" or "dracut". */
  readonly flavor: 'systemd' | 'initramfs-tools' | 'dracut';
  readonly steps: readonly InstallStep[];
  readonly upToDate: readonly UpToDate[];
  /** Printed after the plan: what the installed files do and what is left to the user. */
  readonly notes: readonly string[];
  /** Files the lvmsnap package (.deb) installed, which make copies unnecessary (then nothing is copied). */
  readonly packaged: readonly string[];
}

/** The read-only view the planners work from. */
export interface InstallProbe {
  /** Existing paths among the probed ones, with their permission bits (stat %a, e.g. "755"). */
  readonly modes: ReadonlyMap<string, string>;
  /** Content of each destination file that exists (null: missing). */
  readonly contents: ReadonlyMap<string, string | null>;
  /** Shipped files: relative packaging path -> content (empty without a packaging folder). */
  readonly shipped: ReadonlyMap<string, string>;
  /** The packaging/ folder found next to the program (null: none, e.g. the single executable). */
  readonly packagingDir: string | null;
  /** Where the packaging folder was looked for (for the error when there is none and no package either). */
  readonly candidates: readonly string[];
  /** Files the installed lvmsnap package owns (dpkg's list of it; empty when it is not installed). */
  readonly packageFiles: ReadonlySet<string>;
  readonly uid: number;
}
