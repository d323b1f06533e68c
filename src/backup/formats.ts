// The format table: for each archive format, the child processes that make, test and restore it.
// Pure: argv arrays only; src/backup/archive.ts runs them through HostPort.pipe. Data never passes
// through JavaScript: each stage's stdout is the next stage's stdin, the last writes the file.
import type { PipeInput, PipeOutput, PipeStage } from '../port.js';

export const FORMATS = ['tar.zst', 'tar.gz', 'fsa', 'img.zst'] as const;
export type Format = (typeof FORMATS)[number];

export interface PipeCall {
  readonly stages: readonly PipeStage[];
  readonly input: PipeInput;
  readonly output: PipeOutput;
}

/** Tools found on the host (probed with `TOOL --version`), and the core count for parallel tools. */
export interface Tools {
  readonly present: ReadonlySet<string>;
  readonly cores: number;
}

export interface FormatDef {
  readonly ext: string;
  /** files: tar of the mounted snapshot; device: the snapshot's block device (never mounted). */
  readonly source: 'files' | 'device';
  readonly levels: readonly [min: number, max: number, dflt: number];
  /** Alternatives per need: the first present tool is used; none present -> error naming the package. */
  readonly needs: readonly { readonly tools: readonly string[]; readonly pkg: string }[];
  /** Estimated archive size per source byte, when no earlier archive of the prefix tells better. */
  readonly ratio: number;
  create(src: string, out: string, level: number, t: Tools): PipeCall;
  /** Reads the whole archive and checks its own integrity; output discarded. */
  test(file: string, t: Tools): PipeCall;
  /** Extract into a directory (file formats) or write onto a device/file (images). */
  restore(file: string, to: string, t: Tools, toExists: boolean): PipeCall;
}

/** GNU tar keeping what a restore needs: relative paths, numeric owners, modes, links, xattrs, ACLs. */
export const tarCreateArgv = (dir: string): string[] => [
  'tar', '--create', '--file=-', '--format=posix', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls',
  '--sparse', '--one-file-system', '--directory', dir, '.',
];
export const tarListArgv = (): string[] => ['tar', '--list', '--file=-'];
export const tarExtractArgv = (dir: string): string[] => [
  'tar', '--extract', '--file=-', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--same-permissions',
  '--same-owner', '--directory', dir,
];

export const zstdArgv = (level: number): string[] => ['zstd', '-q', '-T0', `-${level}`, '-c'];
export const unzstdArgv = (): string[] => ['zstd', '-q', '-d', '-c'];
export const zstdTestArgv = (): string[] => ['zstd', '-q', '-t'];

const gzipTool = (t: Tools): string => (t.present.has('pigz') ? 'pigz' : 'gzip');
export const gzipArgv = (level: number, t: Tools): string[] =>
  gzipTool(t) === 'pigz' ? ['pigz', '-p', String(t.cores), `-${level}`, '-c'] : ['gzip', `-${level}`, '-c'];
export const gunzipArgv = (t: Tools): string[] => [gzipTool(t), '-d', '-c'];

const file = (path: string): PipeInput => ({ kind: 'file', path });
const none: PipeInput = { kind: 'none' };
const discard: PipeOutput = { kind: 'discard' };

export const FORMAT_DEFS: Readonly<Record<Format, FormatDef>> = {
  'tar.zst': {
    ext: 'tar.zst', source: 'files', levels: [1, 19, 3], needs: [{ tools: ['zstd'], pkg: 'zstd' }, { tools: ['tar'], pkg: 'tar' }], ratio: 0.6,
    create: (dir, out, level) => ({ stages: [{ argv: tarCreateArgv(dir) }, { argv: zstdArgv(level) }], input: none, output: { kind: 'newFile', path: out } }),
    test: (f) => ({ stages: [{ argv: unzstdArgv() }, { argv: tarListArgv() }], input: file(f), output: discard }),
    restore: (f, to) => ({ stages: [{ argv: unzstdArgv() }, { argv: tarExtractArgv(to) }], input: file(f), output: discard }),
  },
  'tar.gz': {
    ext: 'tar.gz', source: 'files', levels: [1, 9, 6], needs: [{ tools: ['pigz', 'gzip'], pkg: 'pigz' }, { tools: ['tar'], pkg: 'tar' }], ratio: 0.6,
    create: (dir, out, level, t) => ({ stages: [{ argv: tarCreateArgv(dir) }, { argv: gzipArgv(level, t) }], input: none, output: { kind: 'newFile', path: out } }),
    test: (f, t) => ({ stages: [{ argv: gunzipArgv(t) }, { argv: tarListArgv() }], input: file(f), output: discard }),
    restore: (f, to, t) => ({ stages: [{ argv: gunzipArgv(t) }, { argv: tarExtractArgv(to) }], input: file(f), output: discard }),
  },
  fsa: {
    // fsarchiver writes the archive file itself (it needs a seekable file); -j: one job per core.
    ext: 'fsa', source: 'device', levels: [1, 22, 3], needs: [{ tools: ['fsarchiver'], pkg: 'fsarchiver' }], ratio: 0.6,
    create: (dev, out, level, t) => ({
      stages: [{ argv: ['fsarchiver', 'savefs', '-j', String(t.cores), `-Z${level}`, '--', out, dev] }], input: none, output: discard,
    }),
    test: (f) => ({ stages: [{ argv: ['fsarchiver', 'archinfo', '--', f] }], input: none, output: discard }),
    restore: (f, to, t) => ({ stages: [{ argv: ['fsarchiver', 'restfs', '-j', String(t.cores), '--', f, `id=0,dest=${to}`] }], input: none, output: discard }),
  },
  'img.zst': {
    ext: 'img.zst', source: 'device', levels: [1, 19, 3], needs: [{ tools: ['zstd'], pkg: 'zstd' }], ratio: 0.6,
    create: (dev, out, level) => ({ stages: [{ argv: zstdArgv(level) }], input: file(dev), output: { kind: 'newFile', path: out } }),
    test: (f) => ({ stages: [{ argv: zstdTestArgv() }], input: file(f), output: discard }),
    restore: (f, to, _t, toExists) => ({
      stages: [{ argv: unzstdArgv() }], input: file(f), output: toExists ? { kind: 'overwrite', path: to } : { kind: 'newFile', path: to },
    }),
  },
};

/** Every tool any format may use: probed once per run. */
export const ALL_TOOLS = ['tar', 'zstd', 'pigz', 'gzip', 'fsarchiver'] as const;

/** The first need of the format that no present tool covers, as a message naming the package. */
export function missingTool(format: Format, t: Tools): string | null {
  for (const need of FORMAT_DEFS[format].needs) {
    if (!need.tools.some((x) => t.present.has(x))) {
      return `format ${format} needs ${need.tools.join(' or ')}, which is not installed: install the "${need.pkg}" package (apt-get install ${need.pkg}, dnf install ${need.pkg})`;
    }
  }
  return null;
}

/** fsarchiver insists on names ending in .fsa; every other format writes `<name>.partial`. */
export const partialName = (name: string, format: Format): string =>
  format === 'fsa' ? name.replace(/\.fsa$/, '.partial.fsa') : `${name}.partial`;

export const formatOfName = (name: string): Format | null => {
  const hit = FORMATS.filter((f) => name.endsWith(`.${FORMAT_DEFS[f].ext}`));
  return hit.sort((a, b) => b.length - a.length)[0] ?? null;
};
