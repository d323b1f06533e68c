// What `lvmsnap systemd install` and `lvmsnap initramfs install` share at the CLI edge: where the
// packaging files may be, running the installer, and printing its report.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandLog } from '../recording-host.js';
import type { HostPort } from '../port.js';
import { installJson, renderInstallHuman } from './render.js';
import { runInstall } from './run.js';
import type { InstallWhat } from './types.js';

/**
 * LVMSNAP_PACKAGING_DIR, then packaging/ next to the program (a checkout or the npm package; src/, dist/ or
 * dist/chunks/). The single executable has none: the .deb installs the files themselves (see files.ts).
 */
export function packagingCandidates(env: NodeJS.ProcessEnv = process.env, moduleUrl: string | undefined = import.meta.url): string[] {
  // The shipped CLI is a CommonJS bundle, where import.meta.url is undefined: use its own file then.
  const here = dirname(moduleUrl ? fileURLToPath(moduleUrl) : __filename);
  return [
    ...(env['LVMSNAP_PACKAGING_DIR'] ? [env['LVMSNAP_PACKAGING_DIR']] : []),
    join(here, '..', 'packaging'),
    join(here, '..', '..', 'packaging'),
    join(here, '..', '..', '..', 'packaging'),
  ];
}

export interface InstallCliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly host: HostPort;
  readonly stopRequested?: () => boolean;
}

/** Exit code: 0 done (or nothing to do, or --check), 1 a step failed; refusals throw (exit 3 at the boundary). */
export async function installCommand(what: InstallWhat, opts: { check: boolean; json: boolean; log?: CommandLog }, io: InstallCliIo): Promise<number> {
  const r = await runInstall(
    { what, check: opts.check, packagingCandidates: packagingCandidates() },
    { host: io.host, ...(opts.log ? { log: opts.log } : {}), ...(io.stopRequested ? { stopRequested: io.stopRequested } : {}) },
  );
  io.stdout(opts.json ? `${JSON.stringify(installJson(r), null, 2)}\n` : renderInstallHuman(r));
  if (r.error && opts.json) io.stderr(`lvmsnap: ${r.error.message}\n`);
  return r.error ? 1 : 0;
}
