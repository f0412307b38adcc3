import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ES_NUMBER_VECTORS, iJsonValue, JCS_KEY_ORDER } from '../../test/helpers/jcs-vectors.ts';
import { canonicalJson, canonicalStringify } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were written in', () => {
    expect(canonicalJson({ x: 1, y: [true, null] })).toBe(canonicalJson({ y: [true, null], x: 1 }));
  });

  it('writes scalars as JSON.stringify does, and drops undefined like it', () => {
    expect(canonicalJson('日本\n"')).toBe(JSON.stringify('日本\n"'));
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

/** The first implementation, kept as the reference for JSON values: hashes already stored must not change. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) parts.push(`${JSON.stringify(key)}:${reference(record[key])}`);
  }
  return `{${parts.join(',')}}`;
}

describe('canonicalJson of any value', () => {
  it('gives the reference text for every JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a value as JSON.parse of its JSON.stringify would be written', () => {
    const odd = fc.oneof(
      fc.date({ noInvalidDate: true }),
      fc.constant(undefined),
      fc.constant(() => 1),
      fc.constant(Symbol('s')),
      fc.double(),
      fc.constant(-0),
      fc.string({ unit: 'binary' }),
      fc.constant(new Number(2)),
      fc.constant(new String('boxed')),
      fc.constant(new Map([[1, 2]])),
      fc.constant({ toJSON: (key: string) => `key:${key}` }),
      fc.constant(Object.defineProperty({}, '__proto__', { value: 1, enumerable: true })),
      fc.constant({ 10: 'a', 9: 'b', b: 1, a: 2 }),
      fc.constant(Object.assign(new Array(3), { 0: 1, 2: 3 })), // sparse
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        odd,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        if (text === undefined) expect(canonicalStringify(v)).toBeUndefined();
        else expect(canonicalStringify(v)).toBe(canonicalJson(JSON.parse(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses what JSON.stringify refuses', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(canonicalStringify(undefined)).toBeUndefined();
    expect(canonicalJson({ d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
  });
});

describe('canonical JSON is RFC 8785 (JCS): hashes written before still verify', () => {
  it('property: the text the log has always written is the JCS text, for any I-JSON value', () => {
    fc.assert(
      fc.property(iJsonValue, (value) => {
        const jcs = canonicalize(value);
        expect(canonicalStringify(value)).toBe(jcs);
        expect(canonicalJson(value)).toBe(jcs);
        // And what the database gives back (jsonb: any key order) writes the same. Not for keys JSON escapes
        // (a control character, `"` or `\`): V8's JSON.parse may read such a key back as `\` once another
        // `\` key was parsed (nodejs/node#63785, open on Node 24 and 26); that is V8's round trip, not ours.
        if (!hasEscapedKey(value)) expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(jcs);
      }),
      { numRuns: 3000 },
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3), not by code points', () => {
    const value: Record<string, number> = Object.fromEntries(
      JCS_KEY_ORDER.toReversed().map((k, i) => [k, i]),
    );
    const text = `{${JCS_KEY_ORDER.map((k) => `${JSON.stringify(k)}:${value[k]}`).join(',')}}`;
    expect(canonicalJson(value)).toBe(text);
    expect(canonicalStringify(value)).toBe(text);
  });

  it.each(ES_NUMBER_VECTORS)('writes the double %s as %s (RFC 8785 Appendix B)', (bits, text) => {
    const n = new DataView(new BigUint64Array([BigInt(bits)]).buffer).getFloat64(0, true);
    expect(canonicalJson(n)).toBe(text);
    expect(canonicalStringify([n])).toBe(`[${text}]`);
  });

  it('writes what JCS refuses as JSON.stringify would, so a tampered row is a mismatch, not an exception', () => {
    expect(() => canonicalize({ n: Number.NaN })).toThrow();
    expect(canonicalJson({ n: Number.NaN, i: Number.POSITIVE_INFINITY })).toBe('{"i":null,"n":null}');
    expect(canonicalJson({ s: 'a\uD800b' })).toBe('{"s":"a\\ud800b"}');
  });
});

/** Whether any object key in the value is one JSON escapes (below U+0020, `"`, `\`, a lone surrogate). */
function hasEscapedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasEscapedKey);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([k, v]) => JSON.stringify(k).length !== k.length + 2 || hasEscapedKey(v),
  );
}
