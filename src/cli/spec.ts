// The shape of a CLI command, as data: one CommandSpec per command (src/cli/<command>.ts), listed in
// src/cli/registry.ts. The same specs drive argv parsing (argv.ts), --help (help.ts), the man page and
// the shell completions (docs.ts), so none of them can drift from the others.
import type { EngineDeps } from '../engine.js';
import type { HostPort } from '../port.js';

export interface FlagSpec {
  /** Kebab-case, without dashes: 'tmp-file'. ParsedArgs uses this exact key. */
  readonly name: string;
  /** One letter, without the dash: 'v' for -v. */
  readonly alias?: string;
  readonly type: 'string' | 'boolean' | 'number';
  readonly describe: string;
  /** Allowed values (string flags). */
  readonly choices?: readonly string[];
  /** Applied by the parser when the flag is absent (booleans without one are false). */
  readonly default?: string | number | boolean;
  /** A default applied later (e.g. by target validation, so a config file can still set it); help shows it. */
  readonly shownDefault?: string;
  readonly required?: boolean;
  /** Placeholder for the value in help and the man page: NAME, FILE, SIZE. */
  readonly value?: string;
  /** May be given several times; the value is then a string[] (or number[]). */
  readonly repeat?: boolean;
  /** Shell completion for the value: a fixed kind the completion scripts know how to expand. */
  readonly complete?: 'file' | 'dir' | 'vg' | 'lv';
}

export interface FlagGroup {
  readonly title: string;
  readonly flags: readonly FlagSpec[];
}

export interface PositionalSpec {
  readonly name: string;
  readonly describe: string;
  readonly required?: boolean;
}

export type ArgValue = string | number | boolean | readonly string[] | readonly number[] | undefined;

/** Flag name (kebab) -> value; `_` holds the positionals in order. */
export type ParsedArgs = { readonly _: readonly string[] } & { readonly [flag: string]: ArgValue };

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly host: HostPort;
  readonly deps?: Partial<EngineDeps>;
  readonly version?: string;
}

export interface CommandSpec {
  /** 'apply', or several words for a subcommand: 'check reboot', 'backups prune'. */
  readonly name: string;
  /** One line, lower case, no full stop: shown in the command list. */
  readonly summary: string;
  /** After "lvmsnap ": the synopsis line, e.g. 'apply --state present|absent TARGET [options]'. */
  readonly usage: string;
  /** Paragraph(s) shown under the usage in --help and in the man page. */
  readonly description?: string;
  readonly groups: readonly FlagGroup[];
  readonly positionals?: readonly PositionalSpec[];
  /** [command line without "lvmsnap ", what it does]. */
  readonly examples: readonly (readonly [string, string])[];
  /** Overrides the general exit code list (EXIT_CODES in help.ts) in help and the man page. */
  readonly exitCodes?: readonly (readonly [number, string])[];
  /**
   * A drop-in for an original tool's command line (src/compat/): its action word may also come after the
   * flags, and repeated switches are accepted, as the original's argparse did.
   */
  readonly dropIn?: string;
  /** Heavy dependencies are imported dynamically inside run, so other commands do not load them. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export const allFlags = (spec: CommandSpec): FlagSpec[] => spec.groups.flatMap((g) => g.flags);
