// --help text, laid out from the CommandSpecs. Loaded (a separate chunk) only when help is asked for;
// it imports nothing at run time, the registry is passed in.
import type { CommandSpec, FlagSpec } from './spec.js';

/** Every lvmsnap command exits with one of these (src/cli/exit.ts); a command's own list may narrow them. */
export const EXIT_CODES: readonly (readonly [number, string])[] = [
  [0, 'success'],
  [1, 'failed while applying (the message says what state is left and what to run next)'],
  [2, 'changes made or planned (only with --detailed-exitcode)'],
  [3, 'refused before any change: bad input, a failed check, a foreign object, the lock held by another run'],
];

export interface ProgramInfo {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  readonly notes: string;
  readonly examples: readonly (readonly [string, string])[];
}

/** Words wrapped to width, every line indented by indent (the first by firstIndent). */
export function wrap(text: string, width: number, indent: number, firstIndent = indent): string {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = ' '.repeat(firstIndent);
    let empty = true;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (!empty && line.length + 1 + word.length > width) {
        lines.push(line);
        line = ' '.repeat(indent) + word;
      } else line += (empty ? '' : ' ') + word;
      empty = false;
    }
    lines.push(line);
    firstIndent = indent;
  }
  return lines.join('\n');
}

/** "-v, --verbose", "--vg NAME", "--state present|absent". */
export function flagLabel(f: FlagSpec): string {
  const value = f.type === 'boolean' ? '' : ` ${f.choices ? f.choices.join('|') : (f.value ?? (f.type === 'number' ? 'N' : 'VALUE'))}`;
  return `${f.alias ? `-${f.alias}, ` : ''}--${f.name}${value}`;
}

/** "[required]", "[default: 0]" notes shown after a flag's description. */
export function flagNotes(f: FlagSpec): string {
  const notes: string[] = [];
  if (f.required) notes.push('required');
  const shown = f.shownDefault ?? (f.default !== undefined && f.default !== false ? String(f.default) : undefined);
  if (shown !== undefined) notes.push(`default: ${shown}`);
  if (f.repeat) notes.push('may be repeated');
  return notes.map((n) => `[${n}]`).join(' ');
}

function table(rows: readonly (readonly [string, string])[], width: number): string[] {
  const col = Math.min(Math.max(...rows.map(([l]) => l.length)) + 4, 34);
  return rows.map(([label, text]) => {
    if (label.length + 4 > col) return `  ${label}\n${wrap(text, width, col)}`;
    return `  ${label}${' '.repeat(col - 2 - label.length)}${wrap(text, width, col, 0).trimStart()}`;
  });
}

function exitCodes(codes: readonly (readonly [number, string])[], width: number): string[] {
  return ['Exit codes:', ...codes.map(([c, what]) => wrap(what, width, 6, 0).replace(/^/, `  ${c}   `))];
}

function examples(list: readonly (readonly [string, string])[], width: number): string[] {
  return ['Examples:', ...list.flatMap(([cmd, what]) => [`  lvmsnap ${cmd}`, wrap(what, width, 6)])];
}

export function programHelp(p: ProgramInfo, registry: readonly CommandSpec[], globals: readonly FlagSpec[], width: number, prefix = ''): string {
  const cmds = prefix ? registry.filter((c) => c.name === prefix || c.name.startsWith(`${prefix} `)) : registry;
  const out = [
    `Usage: ${p.name} ${prefix ? `${prefix} <subcommand>` : p.usage}`,
    '',
    wrap(p.description, width, 0),
    '',
    'Commands:',
    ...table(cmds.map((c) => [`${p.name} ${c.name}`, c.summary] as const), width),
    '',
    'Options:',
    ...table(globals.map((f) => [flagLabel(f), f.describe] as const), width),
    '',
    ...examples(p.examples, width),
    '',
    ...exitCodes(EXIT_CODES, width),
    '',
    wrap(p.notes, width, 0),
    `Run "${p.name} <command> --help" for a command's flags and examples.`,
  ];
  return `${out.join('\n')}\n`;
}

export function commandHelp(c: CommandSpec, globals: readonly FlagSpec[], width: number): string {
  const out = [`Usage: lvmsnap ${c.usage}`, '', wrap(`${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`, width, 0)];
  if (c.description) out.push('', wrap(c.description, width, 0));
  if (c.positionals?.length) {
    out.push('', 'Arguments:', ...table(c.positionals.map((p) => [p.name, `${p.describe}${p.required ? ' [required]' : ''}`] as const), width));
  }
  for (const g of [...c.groups, { title: 'General', flags: globals }]) {
    out.push('', `${g.title}:`, ...table(g.flags.map((f) => [flagLabel(f), [f.describe, flagNotes(f)].filter(Boolean).join(' ')] as const), width));
  }
  out.push('', ...examples(c.examples, width), '', ...exitCodes(c.exitCodes ?? EXIT_CODES, width));
  return `${out.join('\n')}\n`;
}
