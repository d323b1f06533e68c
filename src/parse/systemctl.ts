// Parser of `systemctl show --property=Id,LoadState,ActiveState -- UNIT...` (src/commands.ts).
import { ParseError } from '../errors.js';

export interface UnitState { readonly id: string; readonly load: string; readonly active: string }

/**
 * `systemctl show --property=Id,LoadState,ActiveState -- UNIT...`: one block of KEY=VALUE lines per unit,
 * blocks separated by an empty line, in the order the units were named.
 */
export function parseSystemctlShow(text: string, units: readonly string[]): UnitState[] {
  const blocks = text.split(/\n\s*\n/).map((b) => b.trim()).filter((b) => b !== '');
  if (blocks.length !== units.length) throw new ParseError('systemctl show', `expected ${units.length} unit block(s), got ${blocks.length}`, text);
  return blocks.map((b, i) => {
    const kv = new Map(b.split('\n').map((l) => { const at = l.indexOf('='); return [l.slice(0, at).trim(), l.slice(at + 1).trim()] as const; }));
    const load = kv.get('LoadState');
    const active = kv.get('ActiveState');
    if (load === undefined || active === undefined) throw new ParseError('systemctl show', 'missing LoadState or ActiveState', b);
    return { id: kv.get('Id') || units[i]!, load, active };
  });
}
