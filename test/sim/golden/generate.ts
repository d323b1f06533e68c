// Regenerate golden.json from the CURRENT simulator: node --import tsx test/sim/golden/generate.ts
// Only do this when a change to the simulator's output or behaviour is intended; golden.test.ts then
// shows nothing else moved. Each sequence is replayed twice here to make sure the data are deterministic.
import { writeFileSync } from 'node:fs';
import { replay, type Sequence } from './replay.js';
import { STORIES, randomWalks } from './sequences.js';
import { engineTraces } from './traces.js';

const GOLDEN_FILE = new URL('./golden.json', import.meta.url);

const traces = await engineTraces(40, 40, 20261122);
const sequences: Sequence[] = [...STORIES, ...randomWalks(24, 24, 7), ...traces];
const lines: string[] = [];
for (const [i, seq] of sequences.entries()) {
  const a = await replay(seq);
  const b = await replay(seq);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${seq.name}: replay is not deterministic`);
  const recorded = (seq as { recorded?: string }).recorded;
  if (recorded !== undefined && recorded !== a.final.sys) throw new Error(`${seq.name}: replay differs from the recorded run`);
  const steps = seq.steps.map((step, j) => `    ${JSON.stringify([step, a.obs[j]])}`).join(',\n');
  lines.push(`  {"name": ${JSON.stringify(seq.name)}, "final": ${JSON.stringify(a.final)}, "steps": [\n${steps}\n  ]}${i < sequences.length - 1 ? ',' : ''}`);
}
writeFileSync(GOLDEN_FILE, `[\n${lines.join('\n')}\n]\n`);
console.log(`${sequences.length} sequences, ${sequences.reduce((n, s) => n + s.steps.length, 0)} steps written to ${GOLDEN_FILE.pathname}`);
