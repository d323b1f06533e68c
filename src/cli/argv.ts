// A small strict argv parser driven by the CommandSpecs: long flags (--x v, --x=v, --no-x for booleans),
// one-letter aliases (-v), `--` ending the flags, multi-word commands ('check reboot'). Anything it does
// not understand is a UsageError naming the flag and pointing to `lvmsnap <command> --help`.
import { UsageError } from '../errors.js';
import { allFlags, type ArgValue, type CommandSpec, type FlagSpec, type ParsedArgs } from './spec.js';

/** What the command line asks for before any command runs. */
export type Invocation =
  | { readonly kind: 'version' }
  | { readonly kind: 'help'; readonly command: CommandSpec | null; readonly prefix: string }
  | { readonly kind: 'run'; readonly command: CommandSpec; readonly args: ParsedArgs };

const isFlag = (t: string): boolean => t.length > 1 && t.startsWith('-');

/** Longest registry name matching the leading words; also returns how many words it used. */
function matchCommand(words: readonly string[], registry: readonly CommandSpec[]): { spec: CommandSpec; used: number } | null {
  let best: { spec: CommandSpec; used: number } | null = null;
  for (const spec of registry) {
    const parts = spec.name.split(' ');
    if (parts.length <= words.length && parts.every((p, i) => p === words[i]) && (!best || parts.length > best.used)) best = { spec, used: parts.length };
  }
  return best;
}

const commandList = (registry: readonly CommandSpec[]): string => registry.map((c) => c.name).join(', ');

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function suggestion(name: string, candidates: readonly string[]): string {
  const near = candidates.filter((c) => distance(name, c) <= Math.max(1, Math.floor(c.length / 4)) || c.startsWith(name));
  return near.length === 1 ? `; did you mean --${near[0]}?` : '';
}

/** Decides what to do with argv; throws UsageError for anything it cannot accept. Never runs anything. */
export function parseInvocation(argv: readonly string[], registry: readonly CommandSpec[]): Invocation {
  const dashdash = argv.indexOf('--');
  const flagPart = dashdash === -1 ? argv : argv.slice(0, dashdash);
  const words: string[] = [];
  for (const t of argv) {
    if (isFlag(t) || t === '--') break;
    words.push(t);
  }
  const found = matchCommand(words, registry);
  if (flagPart.includes('--help') || flagPart.includes('-h')) {
    if (found || words.length === 0) return { kind: 'help', command: found?.spec ?? null, prefix: '' };
    // "lvmsnap backups --help": the commands under that word.
    if (registry.some((c) => c.name.startsWith(`${words[0]} `))) return { kind: 'help', command: null, prefix: words[0]! };
  }
  if (flagPart.includes('--version') || flagPart.includes('-V')) return { kind: 'version' };
  if (!found) {
    if (words.length === 0) {
      if (argv.length > 0) throw new UsageError(`name a command before the flags: lvmsnap <command> [flags]; commands: ${commandList(registry)}\nsee lvmsnap --help`);
      throw new UsageError(`name a command: ${commandList(registry)}\nsee lvmsnap --help`);
    }
    const sub = registry.filter((c) => c.name.startsWith(`${words[0]} `));
    if (sub.length > 0 && words.length === 1) {
      throw new UsageError(`lvmsnap ${words[0]} needs a subcommand: ${sub.map((c) => c.name).join(', ')}\nsee lvmsnap ${words[0]} --help`);
    }
    const unknown = sub.length > 0 ? words.slice(0, 2).join(' ') : words[0];
    throw new UsageError(`unknown command: ${unknown}\nname a command: ${commandList(registry)}; see lvmsnap --help`);
  }
  return { kind: 'run', command: found.spec, args: parseFlags(found.spec, argv.slice(found.used)) };
}

function convert(flag: FlagSpec, raw: string, cmd: string): string | number {
  if (flag.type === 'number') {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n)) throw new UsageError(`--${flag.name} expects a number, got "${raw}"\nsee lvmsnap ${cmd} --help`);
    return n;
  }
  if (flag.choices && !flag.choices.includes(raw)) {
    throw new UsageError(`invalid value for --${flag.name}: "${raw}"; choose one of: ${flag.choices.join(', ')}\nsee lvmsnap ${cmd} --help`);
  }
  return raw;
}

/** Parses the flags and positionals that follow the command's name. */
export function parseFlags(spec: CommandSpec, tokens: readonly string[]): ParsedArgs {
  const cmd = spec.name;
  const flags = allFlags(spec);
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byAlias = new Map(flags.filter((f) => f.alias).map((f) => [f.alias!, f]));
  const out: Record<string, ArgValue> = {};
  const seen = new Set<string>();
  const positionals: string[] = [];
  const set = (flag: FlagSpec, value: string | number | boolean): void => {
    if (flag.repeat) {
      out[flag.name] = [...((out[flag.name] as (string | number)[] | undefined) ?? []), value] as string[] | number[];
    } else if (seen.has(flag.name)) {
      throw new UsageError(`--${flag.name} is given more than once\nsee lvmsnap ${cmd} --help`);
    } else {
      out[flag.name] = value;
    }
    seen.add(flag.name);
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '--') {
      positionals.push(...tokens.slice(i + 1));
      break;
    }
    if (!isFlag(t)) {
      positionals.push(t);
      continue;
    }
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    let negated = false;
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq === -1 ? t.slice(2) : t.slice(2, eq);
      inline = eq === -1 ? undefined : t.slice(eq + 1);
      flag = byName.get(name);
      if (!flag && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean' && inline === undefined) {
        flag = byName.get(name.slice(3));
        negated = true;
      }
      if (!flag) throw new UsageError(`unknown flag --${name} for lvmsnap ${cmd}${suggestion(name, [...byName.keys()])}\nsee lvmsnap ${cmd} --help`);
    } else {
      flag = byAlias.get(t.slice(1));
      if (!flag) throw new UsageError(`unknown flag ${t} for lvmsnap ${cmd}\nsee lvmsnap ${cmd} --help`);
    }
    if (flag.type === 'boolean') {
      if (inline === undefined) set(flag, !negated);
      else if (inline === 'true' || inline === 'false') set(flag, inline === 'true');
      else throw new UsageError(`--${flag.name} is a switch: give it alone (or --no-${flag.name}), not "${inline}"\nsee lvmsnap ${cmd} --help`);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = tokens[i + 1];
      const negativeNumber = flag.type === 'number' && next !== undefined && /^-\d/.test(next);
      if (next === undefined || next === '--' || (isFlag(next) && !negativeNumber)) {
        const shown = flag.choices ? flag.choices.join('|') : (flag.value ?? 'VALUE');
        throw new UsageError(`--${flag.name} needs a value (${shown})\nsee lvmsnap ${cmd} --help`);
      }
      raw = next;
      i++;
    }
    set(flag, convert(flag, raw, cmd));
  }

  const declared = spec.positionals ?? [];
  if (positionals.length > declared.length) {
    const extra = positionals[declared.length]!;
    const hint = declared.length === 0 ? `lvmsnap ${cmd} takes no arguments, only flags` : `lvmsnap ${cmd} takes ${declared.map((p) => p.name).join(' ')}`;
    throw new UsageError(`unexpected argument "${extra}": ${hint}\nsee lvmsnap ${cmd} --help`);
  }
  const missingPositional = declared.slice(positionals.length).find((p) => p.required);
  if (missingPositional) throw new UsageError(`missing argument ${missingPositional.name}: ${missingPositional.describe}\nsee lvmsnap ${cmd} --help`);
  for (const f of flags) {
    if (out[f.name] !== undefined) continue;
    if (f.required) {
      const shown = f.choices ? ` (${f.choices.join(' or ')})` : f.value ? ` ${f.value}` : '';
      throw new UsageError(`Missing required argument: --${f.name}${shown}\nsee lvmsnap ${cmd} --help`);
    }
    // Only declared defaults: an absent flag must not override a config file's value.
    if (f.default !== undefined) out[f.name] = f.default;
  }
  return { ...out, _: positionals };
}
