// --help, the man page and the shell completions come from the same registry: every command and flag
// --help shows must appear in the other two, so they cannot drift.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bashCompletion, zshCompletion } from '../src/cli/completion.js';
import { main } from '../src/cli/main.js';
import { manPage, roff } from '../src/cli/man.js';
import { GLOBAL_FLAGS, PROGRAM, REGISTRY } from '../src/cli/registry.js';
import { allFlags } from '../src/cli/spec.js';
import type { HostPort } from '../src/port.js';

const noHost = {} as HostPort; // --help must not touch the host at all

async function help(argv: string[]): Promise<string> {
  let out = '';
  const code = await main(argv, { host: noHost, stdout: (s) => { out += s; }, stderr: (s) => { throw new Error(`stderr: ${s}`); } });
  expect(code).toBe(0);
  return out;
}

const man = manPage({ ...PROGRAM, version: '9.9.9', date: '2026-01-01' }, REGISTRY, GLOBAL_FLAGS);
const bash = bashCompletion(REGISTRY, GLOBAL_FLAGS);
const zsh = zshCompletion(REGISTRY, GLOBAL_FLAGS);

/** The man page's section for one command: from its .SS heading to the next heading. */
const manSection = (name: string): string => {
  const start = man.indexOf(`.SS "${roff(`lvmsnap ${name} `)}`);
  expect(start, `man page section for ${name}`).toBeGreaterThan(-1);
  return man.slice(start, man.slice(start + 4).search(/\n\.S[SH] /) + start + 4);
};

/** What bash completion offers after typing `lvmsnap <words...> <cur>`. */
function bashOffers(words: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lvmsnap-compl-'));
  const file = join(dir, 'lvmsnap.bash');
  writeFileSync(file, bash);
  const script = `source ${file}; COMP_WORDS=(lvmsnap ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _lvmsnap; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('help, man page and completion list the same commands and flags', () => {
  it('every command is in the program help, the man page and both completions', async () => {
    const top = await help(['--help']);
    for (const c of REGISTRY) {
      expect(top).toContain(`lvmsnap ${c.name} `);
      expect(man).toContain(`.B lvmsnap\n${roff(c.usage)}`);
      expect(bash).toContain(`\t'${c.name}')`);
      expect(zsh).toContain(`\t'${c.name}') _arguments`);
    }
    expect(bashOffers([''])).toEqual([...new Set(REGISTRY.map((c) => c.name.split(' ')[0]!))].sort());
  });

  it.each(REGISTRY.map((c) => [c.name, c] as const))('lvmsnap %s: every flag in --help, man page and completions', async (name, c) => {
    const text = await help([...name.split(' '), '--help']);
    const section = manSection(name);
    const zshLine = zsh.slice(zsh.indexOf(`\t'${name}') _arguments`)).split(' ;;')[0]!;
    for (const f of [...allFlags(c), ...GLOBAL_FLAGS]) {
      expect(text, `--help of ${name}`).toMatch(new RegExp(`^  (-${f.alias}, )?--${f.name}\\b`, 'm'));
      if (!GLOBAL_FLAGS.includes(f)) expect(section, `man page section of ${name}`).toContain(`\\fB${roff(`--${f.name}`)}\\fR`);
      expect(zshLine, `zsh completion of ${name}`).toContain(f.alias ? `{-${f.alias},--${f.name}}'[` : `'--${f.name}[`);
    }
    for (const f of GLOBAL_FLAGS) expect(man).toContain(`\\fB${roff(`--${f.name}`)}\\fR`);
    // bash offers exactly the command's flags, and the choices of a flag with choices.
    expect(bashOffers([...name.split(' '), '--'])).toEqual([...allFlags(c), ...GLOBAL_FLAGS].map((f) => `--${f.name}`).sort());
    for (const f of allFlags(c).filter((x) => x.choices)) expect(bashOffers([...name.split(' '), `--${f.name}`, ''])).toEqual([...f.choices!].sort());
  });

  it('the man page has the sections an administrator looks for', () => {
    for (const s of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'EXIT STATUS', 'FILES', 'EXAMPLES', 'SEE ALSO']) expect(man).toMatch(new RegExp(`^\\.SH ${s}$`, 'm'));
    expect(man).toMatch(/^\.TH LVMSNAP 8 "2026-01-01" "lvmsnap 9\.9\.9"/m);
    for (const n of [0, 1, 2, 3]) expect(man).toContain(`.TP\n\\fB${n}\\fR\n`);
    // Nothing roff would take as a request: every line starting with . or ' is one we wrote.
    for (const line of man.split('\n')) if (/^[.']/.test(line)) expect(line).toMatch(/^\.(\\"|TH|SH|SS|TP|PP|RS|RE|nf|fi|br|B|nh|ad)( |$)/);
  });
});
