// Parses `findmnt --json`: a tree of filesystems, flattened in pre-order (parents before children).
import type { ObservedMount } from '../types.js';
import { fail, isRow, nonEmpty, parseJson, rows, splitList, str, type Row } from './util.js';

const CMD = 'findmnt';

export function parseFindmnt(json: string): ObservedMount[] {
  const doc = parseJson(CMD, json);
  if (!isRow(doc) || !Array.isArray(doc.filesystems)) fail(CMD, 'missing "filesystems" array', json);
  const out: ObservedMount[] = [];
  const walk = (list: readonly Row[]): void => {
    for (const fs of list) {
      const majMin = nonEmpty(CMD, fs, 'maj:min');
      if (!/^\d+:\d+$/.test(majMin)) fail(CMD, 'field "maj:min" is not MAJ:MIN', fs);
      out.push({
        target: nonEmpty(CMD, fs, 'target'),
        source: str(CMD, fs, 'source'),
        fstype: str(CMD, fs, 'fstype'),
        options: splitList(str(CMD, fs, 'options')),
        majMin,
      });
      walk(rows(CMD, fs, 'children'));
    }
  };
  walk(rows(CMD, doc, 'filesystems'));
  return out;
}
