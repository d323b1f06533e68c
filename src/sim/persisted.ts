// A SimHost whose system lives in a JSON file between processes: LVMSNAP_SIMULATOR=<file> makes the
// CLI (src/cli/bin.ts) run against it, so demos and CLI tests need neither root nor device-mapper.
// A missing or empty file starts from simpleSystem(); a file holding {"simpleSystem": {...options}}
// starts from simpleSystem(options). Only this module of src/sim touches node:fs.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { simpleSystem, type SimpleSystemOptions } from './build.js';
import { SimHost, type SimHostOptions } from './host.js';
import type { SimSystem } from './state.js';

export interface PersistedSimHost {
  readonly host: SimHost;
  /** Write the current system back to the file (atomically). */
  save(): Promise<void>;
}

export async function loadSystem(file: string): Promise<SimSystem> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text.trim() === '') return simpleSystem();
  const data = JSON.parse(text) as SimSystem | { simpleSystem: SimpleSystemOptions };
  return 'simpleSystem' in data ? simpleSystem(data.simpleSystem) : data;
}

export async function saveSystem(file: string, system: SimSystem): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(system, null, 1)}\n`);
  await rename(tmp, file);
}

export async function loadSimHost(file: string, opts: SimHostOptions = {}): Promise<PersistedSimHost> {
  const host = new SimHost(await loadSystem(file), opts);
  return { host, save: () => saveSystem(file, host.system) };
}
