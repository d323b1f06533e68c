// The lvm shell protocol's pure parts, on output captured from lvm2 2.03.16 (fixtures/lvm-shell/).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isShellReport, JsonObjectSplitter, lvmShellLine, readShellReport, renderShellReport, shellExitCode, splitShellLine, takeJsonObjects,
} from '../../src/lvm-shell/protocol.js';
import * as C from '../../src/commands.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lvm-shell/${name}`, import.meta.url), 'utf8');

describe('lvm shell report (captured)', () => {
  const lines = fixture('failing.stdin').trim().split('\n');
  const { objects, rest } = takeJsonObjects(fixture('failing.report'));

  it('one object per line, then one for the end of input, nothing left over', () => {
    expect(objects).toHaveLength(lines.length + 1);
    expect(rest.trim()).toBe('');
    expect(readShellReport(objects.at(-1)!)).toEqual({ retCode: null, messages: [] });
  });
  it('reads each command status and the errors lastlog gives for it', () => {
    const r = objects.map(readShellReport);
    // lvremove of a missing VG: failed (5); its own object has no message, lastlog has them.
    expect(r[0]).toEqual({ retCode: 5, messages: [] });
    expect(lines[1]).toBe('lastlog');
    expect(r[1]).toEqual({ retCode: 5, messages: ['Volume group "nosuchvg" not found', 'Cannot process volume group nosuchvg'] });
    expect(r[2]).toEqual({ retCode: 1, messages: [] }); // vgs
    expect(r[3]!.retCode).toBe(5); // pvcreate of a missing device
    expect(r[4]!.messages).toEqual(['No device found for /dev/nosuchdev.']);
    expect(r[5]).toEqual({ retCode: 2, messages: ["No such command 'nosuchcmd'.  Try 'help'."] });
  });
  it('reads objects whose messages lvm wrote with raw newlines inside JSON strings', () => {
    const { objects: help } = takeJsonObjects(fixture('help.report'));
    expect(help).toHaveLength(2);
    expect(help[0]).toMatch(/"log_message":"[^"]*\n/); // a raw newline inside a string: not valid JSON as written
    expect(readShellReport(help[0]!)).toEqual({ retCode: 1, messages: [] });
  });
  it('splits objects arriving in pieces, braces inside strings included', () => {
    const text = fixture('failing.report') + '{"log":[{"log_message":"a } { \\" b"}]}';
    for (const cut of [1, 7, 100, 333, 1000, text.length - 3]) {
      const a = takeJsonObjects(text.slice(0, cut));
      const b = takeJsonObjects(a.rest + text.slice(cut));
      expect([...a.objects, ...b.objects]).toEqual(takeJsonObjects(text).objects);
    }
    expect(readShellReport(takeJsonObjects(text).objects.at(-1)!).retCode).toBeNull();
  });
  it('the incremental splitter gives the same objects for any chunking of the stream, escapes cut in two included', () => {
    const text = fixture('failing.report') + fixture('help.report') + '{"log":[{"log_message":"a } { \\" b \\\\"}]}';
    const whole = takeJsonObjects(text).objects;
    expect(whole.length).toBeGreaterThan(8);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 40 }), (cuts) => {
      const at = [0, ...[...cuts].sort((a, b) => a - b), text.length];
      const s = new JsonObjectSplitter();
      const got = at.slice(1).flatMap((end, k) => s.push(text.slice(at[k], end)));
      expect(got).toEqual(whole);
      expect(s.rest.trim()).toBe('');
    }));
    // Every single character as its own chunk (a backslash and the quote it escapes arrive apart).
    const s = new JsonObjectSplitter();
    expect([...text].flatMap((c) => s.push(c))).toEqual(whole);
    expect(JSON.parse(whole.at(-1)!)).toEqual({ log: [{ log_message: 'a } { " b \\' }] });
  });
  it('the simulator renders what the parser reads as lvm wrote it', () => {
    expect(readShellReport(renderShellReport('lvremove', 0))).toEqual({ retCode: 1, messages: [] });
    expect(readShellReport(renderShellReport('lvremove', 5))).toEqual({ retCode: 5, messages: [] });
    expect(readShellReport(renderShellReport('lastlog', 5, ['a "b"', 'c']))).toEqual({ retCode: 5, messages: ['a "b"', 'c'] });
    // Same keys in the same order as lvm2's own object.
    const keys = (o: string) => Object.keys((JSON.parse(o) as { log: object[] }).log.at(-1)!);
    expect(keys(renderShellReport('vgs', 0))).toEqual(keys(objects[2]!));
  });
  it('exit codes are those of the forked command', () => {
    expect([1, 2, 3, 4, 5].map(shellExitCode)).toEqual([0, 2, 3, 4, 5]);
  });
});

describe('lvm shell lines', () => {
  it('every LVM argv lvmsnap builds has a line that splits back to it', () => {
    const uuid = 'yVwRXq-hthK-IvRu-4TWx-79iJ-fHp6-uCtuaz';
    for (const argv of [C.pvcreateArgv('/dev/loop0', uuid), C.vgextendArgv('vg0', '/dev/loop0'), C.pvTagArgv('/dev/loop0', 'root-lvmsnap'),
      C.lvcreateSnapshotArgv('vg0', 'root', 'root-lvmsnap', 64 << 20, '/dev/loop0'), C.lvremoveArgv('vg0', 'root-lvmsnap'),
      C.vgreduceArgv('vg0', '/dev/loop0'), C.vgreduceMissingArgv('vg0'), C.lvActivateArgv('vg0', 'root')]) {
      const line = lvmShellLine(argv);
      expect(line, argv.join(' ')).not.toBeNull();
      expect(splitShellLine(line!)).toEqual(argv);
    }
  });
  it('the observation\'s `lvm fullreport` is the line `fullreport ...` (no program of its own), a report command', () => {
    const line = lvmShellLine(C.fullreportArgv());
    expect(line).not.toBeNull();
    expect(splitShellLine(line!)).toEqual(C.fullreportArgv().slice(1));
    expect(isShellReport(C.fullreportArgv())).toBe(true);
    expect(isShellReport(C.lvremoveArgv('vg0', 'x'))).toBe(false);
    expect(lvmShellLine(['lvm', 'lvremove', 'vg0/x'])).toBeNull();
  });
  it('other commands, lvm itself and over-long lines are forked', () => {
    for (const argv of [['lvm'], ['lvm', 'version'], C.losetupDetachArgv('/dev/loop0'), C.mountArgv('ext4', 'ro', '/dev/x', '/m'), [], ['lvs'],
      ['lvremove', ...Array.from({ length: 64 }, (_, i) => `vg/l${i}`)]]) expect(lvmShellLine(argv), argv.join(' ')).toBeNull();
  });
  it('any argv either round-trips through lvm\'s splitter or is refused (then forked)', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '"', "'", '#', '\n', '-', '/', '\\', 'é'), maxLength: 6 });
    fc.assert(fc.property(fc.array(word, { maxLength: 5 }), (rest) => {
      const argv = ['lvremove', ...rest];
      const line = lvmShellLine(argv);
      // Refused only for a control character (a newline would end the line) or both kinds of quote.
      if (line === null) return rest.some((w) => /[\n\t]/.test(w) || (w.includes('"') && w.includes("'")));
      expect(line).not.toMatch(/\n/);
      expect(splitShellLine(line)).toEqual(argv);
      return true;
    }), { numRuns: 2000 });
  });
});
