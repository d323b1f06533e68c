// Shared helpers for the pure output parsers: strict field access, numbers and lists.
import { ParseError } from '../errors.js';

/** A short single-line excerpt of some input, for ParseError. */
export function excerpt(input: unknown, max = 80): string {
  const text = typeof input === 'string' ? input : JSON.stringify(input) ?? String(input);
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function fail(command: string, detail: string, input: unknown): never {
  throw new ParseError(command, detail, excerpt(input));
}

export function parseJson(command: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return fail(command, `invalid JSON (${(err as Error).message})`, text);
  }
}

export type Row = Readonly<Record<string, unknown>>;

export function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function row(command: string, v: unknown, what: string): Row {
  return isRow(v) ? v : fail(command, `${what} is not an object`, v);
}

/** An array field; absent means empty. */
export function rows(command: string, obj: Row, key: string): Row[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) return fail(command, `"${key}" is not an array`, v);
  return v.map((r, i) => row(command, r, `${key}[${i}]`));
}

export function str(command: string, obj: Row, key: string): string {
  const v = obj[key];
  return typeof v === 'string' ? v : fail(command, `field "${key}" missing or not a string`, obj);
}

export function nonEmpty(command: string, obj: Row, key: string): string {
  const v = str(command, obj, key);
  return v !== '' ? v : fail(command, `field "${key}" is empty`, obj);
}

const INT = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Strict integer: digits only (as lvm prints them), within the safe integer range. */
export function toInt(command: string, field: string, v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && INT.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) fail(command, `field "${field}" is not an integer`, v);
  return n;
}

export function int(command: string, obj: Row, key: string): number {
  return toInt(command, key, obj[key]);
}

/** Strict decimal number; "" (not applicable) gives null. */
export function optDecimal(command: string, obj: Row, key: string): number | null {
  const v = obj[key];
  if (v === '' || v === undefined || v === null) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) fail(command, `field "${key}" is not a number`, v);
  return n;
}

/** A comma-separated list ("" -> []). */
export function splitList(s: string): string[] {
  return s.split(',').map((t) => t.trim()).filter((t) => t !== '');
}
