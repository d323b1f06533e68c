// Reads fixtures/original-readme-commands.txt: each "## source:" block's command lines as argv for
// lvmsnap (the program word, whatever path or interpreter precedes it, replaced by lvmsnap). Shell
// variables assigned in the block are expanded; no shell is involved.
import { readFileSync } from 'node:fs';

export interface ReadmeBlock {
  readonly source: string;
  /** The command lines of the block, as lvmsnap argv (without "lvmsnap"). */
  readonly argvs: readonly (readonly string[])[];
}

const PROGRAMS = /(^|\/|=)(lvm_snaphot\.py|manage_backups\.py)$/;

export function readmeBlocks(positional: Readonly<Record<string, string>> = {}): ReadmeBlock[] {
  const text = readFileSync(new URL('./fixtures/original-readme-commands.txt', import.meta.url), 'utf8');
  const blocks: ReadmeBlock[] = [];
  let current: { source: string; lines: string[] } | null = null;
  const flush = (): void => { if (current) blocks.push({ source: current.source, argvs: commandsOf(current.lines, positional) }); };
  for (const line of text.split('\n')) {
    const m = /^## source: (.*)$/.exec(line);
    if (m) { flush(); current = { source: m[1]!, lines: [] }; continue; }
    if (line.startsWith('##') || !current) continue;
    current.lines.push(line);
  }
  flush();
  return blocks;
}

function commandsOf(lines: readonly string[], positional: Readonly<Record<string, string>>): string[][] {
  const vars: Record<string, string> = { ...positional };
  const expand = (s: string): string => s.replace(/\$\{?([A-Za-z_0-9]+)\}?/g, (_m, n: string) => vars[n] ?? '');
  const out: string[][] = [];
  // Backslash-newline continues a line, as in the shell.
  for (const line of lines.join('\n').replace(/\\\n/g, ' ').split('\n')) {
    const assign = /^([A-Z_]+)="(.*)"$/.exec(line.trim());
    if (assign) { vars[assign[1]!] = expand(assign[2]!); continue; }
    for (const segment of line.split('&&')) {
      const s = segment.trim().replace(/"$/, ''); // the README's stray closing quote
      if (s === '' || s.startsWith('#')) continue;
      const words = expand(s).split(/\s+/).filter((w) => w !== '');
      const at = words.findIndex((w) => PROGRAMS.test(w));
      if (at >= 0) out.push(words.slice(at + 1));
    }
  }
  return out;
}
