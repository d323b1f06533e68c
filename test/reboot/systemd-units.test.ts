// systemd names of the shutdown guard, checked against outputs captured from the real systemd-escape
// (fixtures/systemd/escape-path.tsv), and the systemctl show parser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors.js';
import { parseSystemctlShow } from '../../src/parse/systemctl.js';
import { escapePath, guardUnitFor } from '../../src/systemd-units.js';

const captured = readFileSync(new URL('../../fixtures/systemd/escape-path.tsv', import.meta.url), 'utf8')
  .split('\n').filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => { const at = l.lastIndexOf('\t'); return [l.slice(0, at), l.slice(at + 1)] as const; });

describe('systemd-escape --path', () => {
  it('has the captured cases', () => expect(captured.length).toBeGreaterThanOrEqual(19));
  it.each(captured)('%s -> %s', (input, output) => {
    expect(escapePath(input)).toBe(output);
  });
  it('refuses what systemd-escape refuses', () => {
    expect(escapePath('/x/..')).toBeNull();
    expect(escapePath('/x/../y')).toBeNull();
    expect(escapePath('relative')).toBeNull();
  });
  it('names the guard instance after the tmp file directory', () => {
    // Same as: systemd-escape --path --template=lvmsnap-guard@.service /var/space
    expect(guardUnitFor('/var/space/cow.img')).toBe('lvmsnap-guard@var-space.service');
    expect(guardUnitFor('/srv/my-tmp/cow.img')).toBe('lvmsnap-guard@srv-my\\x2dtmp.service');
    expect(guardUnitFor('/cow.img')).toBe('lvmsnap-guard@-.service');
  });
});

describe('systemctl show --property=Id,LoadState,ActiveState', () => {
  // Shape from systemctl(1) (KEY=VALUE, one block per unit, blank line between); no systemd runs as PID 1
  // on this machine to capture it, the VM tier with systemd exercises the real one.
  const text = 'Id=lvmsnap-guard@var-space.service\nLoadState=loaded\nActiveState=active\n\nId=lvmsnap-guard@srv.service\nLoadState=not-found\nActiveState=inactive\n';
  it('reads one state per unit, in order', () => {
    expect(parseSystemctlShow(text, ['lvmsnap-guard@var-space.service', 'lvmsnap-guard@srv.service'])).toEqual([
      { id: 'lvmsnap-guard@var-space.service', load: 'loaded', active: 'active' },
      { id: 'lvmsnap-guard@srv.service', load: 'not-found', active: 'inactive' },
    ]);
  });
  it('takes properties in any order', () => {
    expect(parseSystemctlShow('ActiveState=failed\nLoadState=loaded\nId=u.service\n', ['u.service'])).toEqual([{ id: 'u.service', load: 'loaded', active: 'failed' }]);
  });
  it('fails loudly on a block count mismatch or missing properties', () => {
    expect(() => parseSystemctlShow(text, ['one.service'])).toThrow(ParseError);
    expect(() => parseSystemctlShow('Id=u.service\n', ['u.service'])).toThrow(/LoadState/);
  });
});
