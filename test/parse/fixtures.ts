// Reads the real command outputs recorded in fixtures/real-lvm/ (lvm2 2.03.16, util-linux).
import { readFileSync } from 'node:fs';

export const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/real-lvm/${name}`, import.meta.url), 'utf8');
