// src/compat/ owns the drop-in command lines of the tools lvmsnap replaces: lvm_snaphot.py
// (snapshot-mount / snapshot-unmount) and manage_backups.py (generate-name / auto-clean /
// remove-unsuccessful). It only translates: their flags and meanings onto lvmsnap's target and the
// engine (snapshots), and onto src/backup/ (names, rotation through prune). Nothing here changes the
// system by itself except through the host port calls the backup code already makes.
//
// This file: the original tools' argparse habits lvmsnap's strict parser does not share, normalised
// before parsing. Pure.
//  - the action may come last (`lvm_snaphot.py --source-lvm-vg vg ... snapshot-mount`): it is moved to
//    the front, so `lvmsnap --source-lvm-vg vg ... snapshot-mount` works unchanged;
//  - store_true / count switches may repeat (the original README passes --remove-mountpoint twice, -vv);
//  - manage_backups.py's --dry-mode takes a value, and any value (even "false") means dry mode.

/** What the normaliser needs to know about one drop-in command. */
export interface CompatCommand {
  readonly name: string;
  /** Flags (kebab, without dashes) that take a value. */
  readonly valued: readonly string[];
  /** Switches (kebab) and one-letter aliases ('v') that may repeat. */
  readonly switches: readonly string[];
}

const isFlag = (t: string): boolean => t.length > 1 && t.startsWith('-');

/** The index of the action word in argv, when argv starts with a flag and names one of `commands`. */
function actionIndex(argv: readonly string[], commands: readonly CompatCommand[]): number {
  if (argv.length === 0 || !isFlag(argv[0]!)) return -1;
  const valued = new Set(commands.flatMap((c) => c.valued));
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--') return -1;
    if (t.startsWith('--') && !t.includes('=') && valued.has(t.slice(2)) && t !== '--dry-mode') {
      i++; // its value, whatever it looks like
      continue;
    }
    if (commands.some((c) => c.name === t)) return i;
  }
  return -1;
}

/**
 * argv as lvmsnap's parser expects it for a drop-in command; any other argv is returned unchanged.
 * Never drops a token that could change the meaning: only duplicate switches and --dry-mode's value.
 */
export function normaliseCompatArgv(argv: readonly string[], commands: readonly CompatCommand[]): readonly string[] {
  let words = [...argv];
  const at = actionIndex(words, commands);
  if (at >= 0) words = [words[at]!, ...words.slice(0, at), ...words.slice(at + 1)];
  const cmd = commands.find((c) => c.name === words[0]);
  if (!cmd) return argv;
  const out: string[] = [cmd.name];
  const seen = new Set<string>();
  for (let i = 1; i < words.length; i++) {
    const t = words[i]!;
    if (t === '--') {
      out.push(...words.slice(i));
      break;
    }
    if (t === '--dry-mode' || t.startsWith('--dry-mode=')) {
      const next = words[i + 1];
      if (t === '--dry-mode' && next !== undefined && !isFlag(next)) i++;
      if (!seen.has('dry-mode')) out.push('--dry-mode');
      seen.add('dry-mode');
      continue;
    }
    if (t.startsWith('--') && !t.includes('=') && cmd.valued.includes(t.slice(2))) {
      out.push(t);
      if (words[i + 1] !== undefined) out.push(words[++i]!);
      continue;
    }
    // -vv, -vvv: argparse's counted -v.
    const key = /^-(v+)$/.test(t) ? 'v' : t === '--verbose' ? 'v' : t.startsWith('--') ? t.slice(2) : null;
    if (key !== null && cmd.switches.includes(key)) {
      if (!seen.has(key)) out.push(key === 'v' ? '-v' : t);
      seen.add(key);
      continue;
    }
    out.push(t);
  }
  return out;
}
