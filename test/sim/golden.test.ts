// The simulator's outputs and systems, pinned: every step of test/sim/golden/golden.json (builders,
// exec, drift, SimHost calls recorded from engine runs, and the read-only tools after each change) must
// print the same bytes and leave the same system (JSON, key order included; same object when unchanged)
// as the code that generated the file. Regenerate only for an intended change:
//   node --import tsx test/sim/golden/generate.ts
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replay, type Obs, type Step } from './golden/replay.js';

interface Golden { name: string; final: { sys: string; frozen: boolean }; steps: [Step, Obs][] }
const golden = JSON.parse(readFileSync(new URL('./golden/golden.json', import.meta.url), 'utf8')) as Golden[];

describe('golden simulator sequences', () => {
  it('cover stories, random walks and engine traces', () => {
    expect(golden.length).toBeGreaterThan(100);
    // Forked commands: fewer since an apply's lvm fullreport is a line of its lvm shell too.
    expect(golden.filter((g) => g.steps.some(([s]) => s.op === 'run')).length).toBeGreaterThan(30);
    // The applier's LVM commands go through the lvm shell (src/lvm-shell/): pinned in its batched form.
    expect(golden.filter((g) => g.steps.some(([s]) => s.op === 'shellRun')).length).toBeGreaterThan(20);
  });

  it.each(golden.map((g) => [g.name, g] as const))('%s', async (_name, g) => {
    const { obs, final } = await replay({ name: g.name, steps: g.steps.map(([s]) => s) });
    for (const [i, [step, want]] of g.steps.entries()) {
      // Compared as JSON text: key order is part of the output.
      expect(JSON.stringify(obs[i]), `step ${i}: ${JSON.stringify(step)}`).toBe(JSON.stringify(want));
    }
    expect(final).toEqual(g.final);
  });
});
