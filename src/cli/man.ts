// lvmsnap(8), generated from the registry at build time (scripts/build.mjs writes dist/lvmsnap.8), so the
// man page lists exactly the commands and flags --help shows. Not part of the runtime bundle.
import { EXIT_CODES, flagNotes, type ProgramInfo } from './help.js';
import type { CommandSpec, FlagSpec } from './spec.js';

export interface ManInfo extends ProgramInfo {
  readonly version: string;
  /** YYYY-MM-DD shown in the page footer. */
  readonly date: string;
  readonly files: readonly (readonly [string, string])[];
  readonly environment: readonly (readonly [string, string])[];
  readonly seeAlso: readonly string[];
  readonly summary: string;
}

/** Text for a roff line: backslashes escaped, dashes as \-, a leading . or ' defused. */
export function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

const bold = (s: string): string => `\\fB${roff(s)}\\fR`;
const italic = (s: string): string => `\\fI${roff(s)}\\fR`;

function flagItem(f: FlagSpec): string[] {
  const value = f.type === 'boolean' ? '' : ` ${f.choices ? bold(f.choices.join('|')) : italic(f.value ?? (f.type === 'number' ? 'N' : 'VALUE'))}`;
  const names = `${f.alias ? `${bold(`-${f.alias}`)}, ` : ''}${bold(`--${f.name}`)}${value}`;
  return ['.TP', names, roff([f.describe, flagNotes(f)].filter(Boolean).join(' '))];
}

function commandSection(c: CommandSpec): string[] {
  const out = [`.SS "${roff(`lvmsnap ${c.usage}`).replace(/"/g, '\\(dq')}"`, `${roff(c.summary)}.`];
  if (c.description) out.push('.PP', roff(c.description));
  for (const p of c.positionals ?? []) out.push('.TP', italic(p.name), roff(`${p.describe}${p.required ? ' (required)' : ''}`));
  for (const g of c.groups) out.push('.PP', `${bold(`${g.title}:`)}`, '.RS 4', ...g.flags.flatMap(flagItem), '.RE');
  if (c.exitCodes) out.push('.PP', 'Exit status:', '.RS 4', ...c.exitCodes.flatMap(([n, what]) => ['.TP', bold(String(n)), roff(what)]), '.RE');
  return out;
}

const uniqueExamples = (list: readonly (readonly [string, string])[]) => list.filter(([cmd], i) => list.findIndex(([c]) => c === cmd) === i);

export function manPage(p: ManInfo, registry: readonly CommandSpec[], globals: readonly FlagSpec[]): string {
  const lines = [
    `.\\" Generated from lvmsnap's command definitions (src/cli/registry.ts); do not edit.`,
    `.TH LVMSNAP 8 "${p.date}" "lvmsnap ${roff(p.version)}" "System Administration"`,
    '.nh',
    '.ad l',
    '.SH NAME',
    `lvmsnap \\- ${roff(p.summary)}`,
    '.SH SYNOPSIS',
    ...registry.flatMap((c) => ['.B lvmsnap', roff(c.usage), '.br']),
    '.B lvmsnap',
    '\\-\\-help | \\-\\-version',
    '.SH DESCRIPTION',
    roff(p.description),
    '.PP',
    roff(p.notes),
    '.SH COMMANDS',
    ...registry.flatMap(commandSection),
    '.SH OPTIONS',
    'These work with every command:',
    ...globals.flatMap(flagItem),
    '.SH EXIT STATUS',
    ...EXIT_CODES.flatMap(([n, what]) => ['.TP', bold(String(n)), roff(what)]),
    '.SH ENVIRONMENT',
    ...p.environment.flatMap(([name, what]) => ['.TP', bold(name), roff(what)]),
    '.SH FILES',
    ...p.files.flatMap(([path, what]) => ['.TP', italic(path), roff(what)]),
    '.SH EXAMPLES',
    ...uniqueExamples([...p.examples, ...registry.flatMap((c) => c.examples)]).flatMap(([cmd, what]) => ['.PP', `${roff(what)}${/[?!.]$/.test(what) ? '' : ':'}`, '.RS 4', '.nf', bold(`lvmsnap ${cmd}`), '.fi', '.RE']),
    '.SH SEE ALSO',
    p.seeAlso.map((s) => bold(s.replace(/\(\d\)$/, '')) + (/\((\d)\)$/.exec(s)?.[0] ?? '')).join(', '),
  ];
  return `${lines.join('\n')}\n`;
}
