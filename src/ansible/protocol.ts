// Ansible's WANT_JSON protocol for a module that is one Node file: the task's arguments are a JSON file
// named by argv[2]; the result is ONE JSON object on stdout (Ansible ignores the exit code when stdout is
// JSON: a failure is failed + msg). Nothing else may reach stdout.
import { readFileSync } from 'node:fs';
import type { ModuleResult } from './module.js';

export async function runProtocol(work: (args: Record<string, unknown>) => Promise<ModuleResult>): Promise<void> {
  let result: ModuleResult;
  try {
    const file = process.argv[2];
    if (!file) throw new Error('no arguments file: Ansible runs this module as "node lvmsnap.js ARGS.json"');
    const args = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error('the arguments file does not hold a JSON object');
    result = await work(args as Record<string, unknown>);
  } catch (err) {
    result = { failed: true, changed: false, msg: `lvmsnap: ${(err as Error)?.message ?? String(err)}` };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
