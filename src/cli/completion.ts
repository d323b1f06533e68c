// bash and zsh completion scripts, generated from the registry at build time (dist/completion/), so they
// offer exactly the commands and flags --help shows. --vg/--lv values come from LVM when it answers.
import type { CommandSpec, FlagSpec } from './spec.js';

const flagsOf = (c: CommandSpec, globals: readonly FlagSpec[]): FlagSpec[] => [...c.groups.flatMap((g) => g.flags), ...globals];

/** Words that can follow the command words typed so far ('' = none yet): 'apply', 'backups', ... */
function nextWords(registry: readonly CommandSpec[]): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const c of registry) {
    const parts = c.name.split(' ');
    for (let i = 0; i < parts.length; i++) {
      const key = parts.slice(0, i).join(' ');
      const list = next.get(key) ?? [];
      if (!list.includes(parts[i]!)) list.push(parts[i]!);
      next.set(key, list);
    }
  }
  return next;
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function bashValueCase(f: FlagSpec): string | null {
  const names = [`--${f.name}`, ...(f.alias ? [`-${f.alias}`] : [])].join('|');
  if (f.type === 'boolean') return null;
  if (f.choices) return `${names}) COMPREPLY=($(compgen -W ${shq(f.choices.join(' '))} -- "$cur")); return ;;`;
  switch (f.complete) {
    case 'file': return `${names}) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;`;
    case 'dir': return `${names}) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;`;
    case 'vg': return `${names}) COMPREPLY=($(compgen -W "$(_lvmsnap_vgs)" -- "$cur")); return ;;`;
    case 'lv': return `${names}) COMPREPLY=($(compgen -W "$(_lvmsnap_lvs)" -- "$cur")); return ;;`;
    case undefined: return `${names}) return ;;`; // a free value: nothing sensible to offer
  }
}

export function bashCompletion(registry: readonly CommandSpec[], globals: readonly FlagSpec[]): string {
  const words = [...nextWords(registry)].map(([prefix, next]) => `\t\t${shq(prefix)}) COMPREPLY=($(compgen -W ${shq(next.join(' '))} -- "$cur")) ;;`);
  const commands = registry.map((c) => {
    const flags = flagsOf(c, globals);
    const values = flags.map(bashValueCase).filter((x): x is string => x !== null);
    const all = flags.map((f) => `--${f.name}`);
    return [
      `\t${shq(c.name)})`,
      `\t\tcase $prev in`,
      ...values.map((v) => `\t\t\t${v}`),
      `\t\tesac`,
      `\t\tCOMPREPLY=($(compgen -W ${shq(all.join(' '))} -- "$cur")) ;;`,
    ].join('\n');
  });
  return `# bash completion for lvmsnap; generated from its command definitions (src/cli/registry.ts), do not edit.
_lvmsnap_vgs() { vgs --noheadings -o vg_name 2>/dev/null | tr -d ' '; }
_lvmsnap_lvs() {
	local i vg=
	for ((i = 1; i < \${#COMP_WORDS[@]} - 1; i++)); do [[ \${COMP_WORDS[i]} == --vg ]] && vg=\${COMP_WORDS[i + 1]}; done
	lvs --noheadings -o lv_name $vg 2>/dev/null | tr -d ' '
}
_lvmsnap() {
	local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD - 1]} cmd= i
	# The command is the leading words before the first flag (as lvmsnap parses it).
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ \${COMP_WORDS[i]} == -* ]] && break
		cmd=\${cmd:+$cmd }\${COMP_WORDS[i]}
	done
	if ((i == COMP_CWORD)) && [[ $cur != -* ]]; then
		case $cmd in
${words.join('\n')}
		esac
		[[ \${#COMPREPLY[@]} -gt 0 ]] && return
	fi
	case $cmd in
${commands.join('\n')}
	*) COMPREPLY=($(compgen -W '--help --version' -- "$cur")) ;;
	esac
}
complete -F _lvmsnap lvmsnap
`;
}

/** zsh _arguments spec text: brackets, colons and quotes escaped. */
const zq = (s: string): string => s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1').replace(/'/g, `'\\''`);

function zshSpec(f: FlagSpec): string {
  const action = f.type === 'boolean' ? '' : f.choices ? `:${f.name}:(${f.choices.join(' ')})`
    : f.complete === 'file' ? `:${f.value ?? 'file'}:_files` : f.complete === 'dir' ? `:${f.value ?? 'dir'}:_files -/`
    : f.complete === 'vg' ? `:${f.value ?? 'vg'}:_lvmsnap_vgs` : f.complete === 'lv' ? `:${f.value ?? 'lv'}:_lvmsnap_lvs` : `:${f.value ?? 'value'}: `;
  const names = f.alias ? `{-${f.alias},--${f.name}}` : `--${f.name}`;
  const excl = f.alias ? `'(-${f.alias} --${f.name})'` : '';
  return f.alias ? `${excl}${names}'[${zq(f.describe)}]${action}'` : `'${names}[${zq(f.describe)}]${action}'`;
}

export function zshCompletion(registry: readonly CommandSpec[], globals: readonly FlagSpec[]): string {
  const words = [...nextWords(registry)].map(([prefix, next]) => {
    const described = next.map((w) => {
      const full = prefix ? `${prefix} ${w}` : w;
      const spec = registry.find((c) => c.name === full);
      return `'${zq(w)}:${zq(spec ? spec.summary : `${full} commands`)}'`;
    });
    return `\t\t${shq(prefix)}) cands=(${described.join(' ')}) ;;`;
  });
  const commands = registry.map((c) => `\t${shq(c.name)}) _arguments -s ${flagsOf(c, globals).map(zshSpec).join(' \\\n\t\t\t')} ;;`);
  return `#compdef lvmsnap
# zsh completion for lvmsnap; generated from its command definitions (src/cli/registry.ts), do not edit.
_lvmsnap_vgs() { local -a v; v=(\${(f)"$(vgs --noheadings -o vg_name 2>/dev/null | tr -d ' ')"}); _describe 'volume group' v; }
_lvmsnap_lvs() {
	local -a l; local vg= i
	for ((i = 1; i < $#words; i++)); do [[ \${words[i]} == --vg ]] && vg=\${words[i + 1]}; done
	l=(\${(f)"$(lvs --noheadings -o lv_name $vg 2>/dev/null | tr -d ' ')"}); _describe 'logical volume' l
}
_lvmsnap() {
	local cmd= i cands
	# The command is the leading words before the first flag (as lvmsnap parses it).
	for ((i = 2; i < CURRENT; i++)); do
		[[ \${words[i]} == -* ]] && break
		cmd=\${cmd:+$cmd }\${words[i]}
	done
	if ((i == CURRENT)) && [[ \${words[CURRENT]} != -* ]]; then
		cands=()
		case $cmd in
${words.join('\n')}
		esac
		if ((\${#cands})); then _describe 'lvmsnap command' cands; return; fi
	fi
	words=("lvmsnap" "\${(@)words[i,-1]}"); ((CURRENT -= i - 2))
	case $cmd in
${commands.join('\n')}
	*) _arguments '--help[show help]' '--version[print the version]' ;;
	esac
}
_lvmsnap "$@"
`;
}
