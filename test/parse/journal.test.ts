import { describe, expect, it } from 'vitest';
import { JournalCorrupt, journalPath, parseJournal } from '../../src/journal.js';

describe('journal', () => {
  it('lives at <stateDir>/<vg>/<snapshot>.json', () => {
    expect(journalPath({ stateDir: '/var/lib/lvmsnap', vg: 'vg0', snapshot: 'root_snap' }))
      .toBe('/var/lib/lvmsnap/vg0/root_snap.json');
  });

  it('parses a valid journal', () => {
    const j = { version: 1, vg: 'vg0', snapshot: 'root_snap', tmpFile: { path: '/var/space/extra.tmp', dev: 29, ino: 2 }, createdMountpoint: '/media/snap' };
    expect(parseJournal(JSON.stringify(j))).toEqual(j);
    expect(parseJournal('{"version":1,"vg":"vg0","snapshot":"s","tmpFile":{"path":"/x"}}'))
      .toEqual({ version: 1, vg: 'vg0', snapshot: 's', tmpFile: { path: '/x' } });
  });

  it('treats an empty file as no journal', () => {
    expect(parseJournal('')).toBeNull();
  });

  it('rejects a corrupt journal naming the file', () => {
    const file = '/var/lib/lvmsnap/vg0/root_snap.json';
    expect(() => parseJournal('{"version":1,', file)).toThrow(JournalCorrupt);
    expect(() => parseJournal('{"version":1,', file)).toThrow(file);
    expect(() => parseJournal('{"version":2,"vg":"vg0","snapshot":"s"}', file)).toThrow(/version/);
    expect(() => parseJournal('{"version":1,"vg":"vg0","snapshot":"s","tmpFile":{"path":"/x","ino":-1}}', file))
      .toThrow(/tmpFile\.ino/);
    expect(() => parseJournal('[]', file)).toThrow(JournalCorrupt);
  });
});
