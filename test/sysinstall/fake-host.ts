// A tiny model of a host's files for the installers: a path -> {content, mode} map that answers the
// only commands src/sysinstall runs (stat of modes, install -D, systemctl, update-initramfs, dracut).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult, FileStat, HostPort, LockResult, PipeResult, RunOptions, SysfsLoop } from '../../src/port.js';

export const REPO_PACKAGING = new URL('../../packaging', import.meta.url).pathname;
/** Where the fake host keeps lvmsnap's packaging folder. */
export const PKG = '/opt/lvmsnap/packaging';

interface Node { content: string; mode: string }

export class FakeFsHost implements HostPort {
  readonly files = new Map<string, Node>();
  readonly ran: { argv: readonly string[]; mutating: boolean }[] = [];
  enabled = new Set<string>();
  failing: string | null = null;
  rootUid = 0;

  constructor(paths: readonly string[] = [], withPackaging = true) {
    for (const p of paths) this.files.set(p, { content: '', mode: '755' });
    if (withPackaging) this.addTree(REPO_PACKAGING, PKG);
  }

  private addTree(from: string, to: string): void {
    for (const e of readdirSync(from)) {
      const src = join(from, e);
      if (statSync(src).isDirectory()) this.addTree(src, join(to, e));
      else this.files.set(join(to, e), { content: readFileSync(src, 'utf8'), mode: (statSync(src).mode & 0o777).toString(8) });
    }
  }

  mutations(): string[] {
    return this.ran.filter((r) => r.mutating).map((r) => r.argv.join(' '));
  }

  async run(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
    this.ran.push({ argv, mutating: opts.mutating });
    const ok = (stdout = ''): CommandResult => ({ argv, exitCode: 0, stdout, stderr: '', ms: 1 });
    const fail = (stderr: string, exitCode = 1): CommandResult => ({ argv, exitCode, stdout: '', stderr, ms: 1 });
    if (this.failing !== null && argv.join(' ').startsWith(this.failing)) return fail(`${argv[0]}: simulated failure`);
    const [cmd, ...a] = argv;
    if (cmd === 'stat' && a[0] === '--printf' && a[1] === '%n\t%a\n' && a[2] === '--') {
      const paths = a.slice(3);
      const present = paths.filter((p) => this.files.has(p));
      const stdout = present.map((p) => `${p}\t${this.files.get(p)!.mode}\n`).join('');
      return present.length === paths.length ? ok(stdout) : { ...fail('stat: cannot statx: No such file or directory'), stdout };
    }
    if (cmd === 'install' && a[0] === '-D' && a[1] === '-m' && a[3] === '-T' && a[4] === '--' && a.length === 7) {
      const src = this.files.get(a[5]!);
      if (!src) return fail(`install: cannot stat '${a[5]}'`);
      this.files.set(a[6]!, { content: src.content, mode: a[2]!.replace(/^0+/, '') });
      return ok();
    }
    if (cmd === 'systemctl' && a.join(' ') === 'daemon-reload') return ok();
    if (cmd === 'systemctl' && a[0] === 'enable' && a.length === 2) {
      this.files.set(`/etc/systemd/system/sysinit.target.wants/${a[1]}`, { content: '', mode: '777' });
      return ok();
    }
    if (cmd === 'update-initramfs' && a.join(' ') === '-u') return ok();
    if (cmd === 'dracut' && a.join(' ') === '--force') return ok();
    return fail(`fake host: unexpected command ${argv.join(' ')}`, 127);
  }

  async readFile(path: string): Promise<string | null> {
    return this.files.get(path)?.content ?? null;
  }
  async listDir(): Promise<string[]> {
    throw new Error('the installers never list state directories');
  }
  async writeFile(): Promise<void> {
    throw new Error('the installers never write state files');
  }
  async removeFile(): Promise<void> {
    throw new Error('the installers never remove state files');
  }
  async lock(): Promise<LockResult> {
    return { acquired: true };
  }
  async unlock(): Promise<void> {}
  // The installers never pipe data or observe LVM state: these fail loudly if one ever does.
  async pipe(): Promise<PipeResult> {
    throw new Error('FakeFsHost: pipe is not modelled');
  }
  async readMountinfo(): Promise<string> {
    throw new Error('FakeFsHost: readMountinfo is not modelled');
  }
  async readLoopSysfs(): Promise<SysfsLoop[]> {
    throw new Error('FakeFsHost: readLoopSysfs is not modelled');
  }
  async lstat(): Promise<FileStat | null> {
    throw new Error('FakeFsHost: lstat is not modelled');
  }
  async realpath(): Promise<string | null> {
    throw new Error('FakeFsHost: realpath is not modelled');
  }
  async statfsAvail(): Promise<number | null> {
    throw new Error('FakeFsHost: statfsAvail is not modelled');
  }
  uid(): number {
    return this.rootUid;
  }
}
