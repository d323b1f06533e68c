// src/lvm-shell/ owns lvm2's shell protocol: several LVM commands through one `lvm` process reading one
// command per line on stdin, each answered by one JSON object on LVM_REPORT_FD (the lvmdbusd profile's
// command log). Pure: how an argv becomes a line (and how lvm splits it back, the simulator's model),
// how the report stream splits into objects and what one object says. Spawning is src/host-real.ts's.
// See ../shared/notes/lvm-batching.md (pitfalls) and fixtures/lvm-shell/ (captured lvm2 2.03.16 output).

/** The commands lvmsnap runs through the shell: LVM's own commands (a bare `lvm` line is no command). */
export const LVM_SHELL_COMMANDS: ReadonlySet<string> = new Set([
  'pvcreate', 'pvchange', 'pvremove', 'vgextend', 'vgreduce', 'vgchange', 'lvcreate', 'lvremove', 'lvchange',
]);
/** Commands that exist only as `lvm SUBCOMMAND` (no program of their own): in the shell the line is
 *  SUBCOMMAND without the leading `lvm`. Their report goes into the command's report object (the lvmdbusd
 *  profile writes the main report to LVM_REPORT_FD too), so a runner hands that object out as stdout. */
export const LVM_SHELL_SUBCOMMANDS: ReadonlySet<string> = new Set(['fullreport']);
/** The shell's words of argv: `lvm fullreport ...` becomes `fullreport ...`; null when it is not a shell command. */
function shellWords(argv: readonly string[]): readonly string[] | null {
  if (argv[0] === 'lvm') return argv.length > 1 && LVM_SHELL_SUBCOMMANDS.has(argv[1]!) ? argv.slice(1) : null;
  return argv.length > 0 && LVM_SHELL_COMMANDS.has(argv[0]!) ? argv : null;
}
/** argv is a report command whose answer (stdout) is its report object. */
export const isShellReport = (argv: readonly string[]): boolean => argv[0] === 'lvm' && LVM_SHELL_SUBCOMMANDS.has(argv[1] ?? '');

/** The profile lvm2 ships for lvmdbusd: JSON report, command log on, only the shell's own status entries. */
export const LVM_SHELL_PROFILE = 'lvmdbusd';
/** The file descriptor of the child the report is written to. */
export const LVM_SHELL_REPORT_FD = 3;
/** The shell's environment over the caller's. HOME: lvm's shell reads $HOME/.lvm_history at start and
 *  writes every line into it at exit (lvm2 tools/lvm.c); lvmsnap's commands must not fill the admin's
 *  history (the file is root's own), and lvm uses HOME for nothing else. Under /dev/null the file can
 *  be neither read nor created (ENOTDIR). */
export const lvmShellEnv = (): Record<string, string> => ({
  LVM_REPORT_FD: String(LVM_SHELL_REPORT_FD), LVM_COMMAND_PROFILE: LVM_SHELL_PROFILE, LVM_LOG_FILE_MAX_LINES: '0',
  HOME: '/dev/null',
});
/** Asked after a failed command: its full log (errors of every context), one object like any command's. */
export const LASTLOG = 'lastlog';
/** lvm2 before 2.03.17 answers a line of more than 64 words with nothing at all (a reader would hang). */
const MAX_WORDS = 64;

const PLAIN = /^[^\s"'#]+$/;
// Control characters (a newline ends the line; lvm's splitter knows no escapes).
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The shell line for argv, or null when lvmsnap must fork it instead: not one of LVM_SHELL_COMMANDS (or
 * `lvm` + one of LVM_SHELL_SUBCOMMANDS), too
 * many words, or a word lvm's splitter cannot carry (it knows only whole-word "..." or '...' quotes).
 */
export function lvmShellLine(argv: readonly string[]): string | null {
  const shell = shellWords(argv);
  if (shell === null || shell.length > MAX_WORDS) return null;
  const words: string[] = [];
  for (const a of shell) {
    if (CONTROL.test(a)) return null;
    if (PLAIN.test(a)) words.push(a);
    else if (!a.includes('"')) words.push(`"${a}"`);
    else if (!a.includes("'")) words.push(`'${a}'`);
    else return null;
  }
  return words.join(' ');
}

/** lvm2's lvm_split (tools/lvm.c): blanks separate words, a word starting with # ends the line, a word
 *  starting with " or ' runs to the next such quote. The simulator splits lines with it. */
export function splitShellLine(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  const space = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  while (i < line.length) {
    while (space(line[i])) i++;
    if (i >= line.length || line[i] === '#') break;
    let quote: string | null = null;
    if (line[i] === '"' || line[i] === "'") quote = line[i++]!;
    const start = i;
    while (i < line.length && (quote !== null ? line[i] !== quote : !space(line[i]))) i++;
    words.push(line.slice(start, i));
    i++; // past the closing quote or the blank
  }
  return words;
}

/**
 * Splits the report stream into its JSON objects (lvm writes them one after another, no array) as chunks
 * arrive. Each character is looked at once: the scan keeps its place across chunks (rescanning the
 * whole buffer per chunk cost tens of ms per report under QEMU/TCG) and jumps between the only
 * characters that matter with a native regex search.
 */
export class JsonObjectSplitter {
  private buf = '';
  private pos = 0;
  private depth = 0;
  private inString = false;
  private start = -1;

  /**
   * Adds a chunk; returns the objects it completed, in order. A string's inside is skipped with indexOf
   * (most of a report is strings): under QEMU/TCG a match per character class cost 86 ms for one report.
   */
  push(chunk: string): string[] {
    this.buf += chunk;
    const buf = this.buf;
    const len = buf.length;
    const objects: string[] = [];
    let i = this.pos;
    let consumed = 0;
    while (i < len) {
      if (this.inString) {
        const q = buf.indexOf('"', i);
        if (q === -1) { i = len; break; }
        // Escaped when an odd number of backslashes precede it; a backslash ending the buffer waits for the next chunk.
        let bs = 0;
        while (buf.charCodeAt(q - 1 - bs) === 92) bs++;
        i = q + 1;
        if (bs % 2 === 0) this.inString = false;
        continue;
      }
      const c = buf.charCodeAt(i++);
      if (c === 34) this.inString = true; // "
      else if (c === 123) { // {
        if (this.depth++ === 0) this.start = i - 1;
      } else if (c === 125 && this.depth > 0 && --this.depth === 0) { // }
        objects.push(buf.slice(this.start, i));
        consumed = i;
      }
    }
    this.pos = i - consumed;
    if (consumed > 0) {
      this.buf = buf.slice(consumed);
      if (this.start >= 0) this.start -= consumed;
    }
    return objects;
  }

  /** What is left after the last complete object. */
  get rest(): string {
    return this.buf;
  }
}

/** Splits concatenated JSON objects off the front of buf (one-shot JsonObjectSplitter). */
export function takeJsonObjects(buf: string): { objects: string[]; rest: string } {
  const s = new JsonObjectSplitter();
  const objects = s.push(buf);
  return { objects, rest: s.rest };
}

interface LogEntry { readonly log_type?: string; readonly log_context?: string; readonly log_message?: string; readonly log_ret_code?: string }

/** What one report object says: the shell's status for its command (null: none in it) and the messages. */
export interface ShellReport {
  /** lvm2's return code (tools/errors.h): 1 processed, 2 no such command, 3 invalid command line, 4 init failed, 5 failed. */
  readonly retCode: number | null;
  /** Error and warning lines, in order (a lastlog object carries those of every context). */
  readonly messages: readonly string[];
}

/** lvm2 writes a message's newlines and tabs raw inside JSON strings (seen with `lvchange --help`):
 *  escape control characters inside strings so JSON.parse reads them. */
function escapeRawControls(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString && c === '\\') {
      out += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') inString = !inString;
    out += inString && c < ' ' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

/** JSON.parse (native) first; only an object with raw control characters in a string takes the
 *  character-by-character escape (a JS loop over the whole object is slow under QEMU/TCG). */
function parseReportObject(object: string): { log?: LogEntry[] } {
  try {
    return JSON.parse(object) as { log?: LogEntry[] };
  } catch {
    return JSON.parse(escapeRawControls(object)) as { log?: LogEntry[] };
  }
}

export function readShellReport(object: string): ShellReport {
  let doc: { log?: LogEntry[] };
  try {
    doc = parseReportObject(object);
  } catch {
    return { retCode: null, messages: [`lvm shell: unreadable report: ${object.slice(0, 200)}`] };
  }
  const log = Array.isArray(doc.log) ? doc.log : [];
  const status = log.filter((e) => e.log_type === 'status' && e.log_context === 'shell').at(-1);
  const code = status ? Number.parseInt(status.log_ret_code ?? '', 10) : Number.NaN;
  return {
    retCode: Number.isInteger(code) ? code : null,
    messages: log.filter((e) => e.log_type === 'error' || e.log_type === 'warn').map((e) => e.log_message ?? ''),
  };
}

/** A command's exit code as a forked lvm would exit: 0 for processed, else lvm2's return code itself. */
export const shellExitCode = (retCode: number): number => (retCode === 1 ? 0 : retCode);

/**
 * The report object lvm writes for a command (the simulator's answer; same shape as the lvmdbusd profile's).
 * mainReport: a report command's own JSON document as the forked command prints it ({"report": [...]}),
 * whose members lvm writes ahead of "log" in the same object.
 */
export function renderShellReport(name: string, exitCode: number, messages: readonly string[] = [], mainReport?: string): string {
  const entry = (seq: number, type: string, context: string, message: string, ret: number) =>
    `          {"log_seq_num":"${seq}", "log_type":"${type}", "log_context":"${context}", "log_object_type":"cmd", "log_object_name":${JSON.stringify(name)}, "log_object_id":"", "log_object_group":"", "log_object_group_id":"", "log_message":${JSON.stringify(message)}, "log_errno":"${type === 'status' ? 0 : -1}", "log_ret_code":"${ret}"}`;
  const lines = [
    ...messages.map((m, i) => entry(i + 1, 'error', 'processing', m, 0)),
    entry(messages.length + 1, 'status', 'shell', exitCode === 0 ? 'success' : 'failure', exitCode === 0 ? 1 : exitCode),
  ];
  const main = mainReport === undefined ? '' : `${mainReport.trim().replace(/^\{/, '').replace(/\}$/, '').trim()}\n      ,\n`;
  return `  {\n      ${main}"log": [\n${lines.join(',\n')}\n      ]\n  }\n`;
}
