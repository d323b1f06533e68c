// Every argv src/sysinstall runs, built in one place (see types.ts for why these are outside the
// LVM model and src/commands.ts).

/** One line per existing path: name and permission bits; missing paths only go to stderr. */
export const statModeArgv = (paths: readonly string[]): string[] => ['stat', '--printf', '%n\t%a\n', '--', ...paths];
/** Copies a shipped file into place, creating its directory, with exactly this mode. */
export const installFileArgv = (mode: string, source: string, dest: string): string[] => ['install', '-D', '-m', mode, '-T', '--', source, dest];
export const daemonReloadArgv = (): string[] => ['systemctl', 'daemon-reload'];
/** Enables without --now: starting the boot unit now would run `lvmsnap recover` on live chains. */
export const enableArgv = (unit: string): string[] => ['systemctl', 'enable', unit];
/** Rebuilds the initramfs of the newest kernel, as Debian's own package hooks do. */
export const updateInitramfsArgv = (): string[] => ['update-initramfs', '-u'];
export const dracutArgv = (): string[] => ['dracut', '--force'];
