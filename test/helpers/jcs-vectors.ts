import fc from 'fast-check';

/**
 * RFC 8785 (JCS) test material shared by the TypeScript and Python checks of
 * the decision log's canonical JSON (X1, issue 8 item 9).
 */

/** RFC 8785 §3.2.3: keys in JCS order (UTF-16 code units: U+1F600 sorts before U+FB33). */
export const JCS_KEY_ORDER: readonly string[] = [
  '\r',
  '1',
  '\u0080',
  '\u00f6',
  '\u20ac',
  '\ud83d\ude00',
  '\ufb33',
];

/** RFC 8785 Appendix B: IEEE 754 doubles (bits, hex) and their JCS text (ECMAScript Number#toString). */
export const ES_NUMBER_VECTORS: readonly (readonly [string, string])[] = [
  ['0x0000000000000000', '0'],
  ['0x8000000000000000', '0'],
  ['0x0000000000000001', '5e-324'],
  ['0x8000000000000001', '-5e-324'],
  ['0x7fefffffffffffff', '1.7976931348623157e+308'],
  ['0xffefffffffffffff', '-1.7976931348623157e+308'],
  ['0x4340000000000000', '9007199254740992'],
  ['0xc340000000000000', '-9007199254740992'],
  ['0x4430000000000000', '295147905179352830000'],
  ['0x44b52d02c7e14af5', '9.999999999999997e+22'],
  ['0x44b52d02c7e14af6', '1e+23'],
  ['0x44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['0x444b1ae4d6e2ef4e', '999999999999999700000'],
  ['0x444b1ae4d6e2ef4f', '999999999999999900000'],
  ['0x444b1ae4d6e2ef50', '1e+21'],
  ['0x3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['0x3eb0c6f7a0b5ed8d', '0.000001'],
  ['0x41b3de4355555553', '333333333.3333332'],
  ['0x41b3de4355555554', '333333333.33333325'],
  ['0x41b3de4355555555', '333333333.3333333'],
  ['0x41b3de4355555556', '333333333.3333334'],
  ['0x41b3de4355555557', '333333333.33333343'],
  ['0xbecbf647612f3696', '-0.0000033333333333333333'],
  ['0x43143ff3c1cb0959', '1424953923781206.2'],
];

/** Strings a JCS writer can get wrong: controls, quotes, non-ASCII, surrogate pairs, keys that sort apart. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      '\u0000',
      '\u001f',
      '\b',
      '\t',
      '\n',
      '"',
      '\\',
      '/',
      '\u007f',
      '\u2028',
      'é',
      '€',
      '日本',
      '😀',
      '\ud800\udc00',
      '\ufb33',
      '\ue000',
      '\uffff',
    ),
    maxLength: 8,
  }),
  fc.constantFrom(...JCS_KEY_ORDER),
);

/** Finite doubles of every size and sign (-0, subnormal, the largest), integers, and numbers near the exponent switch. */
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(-0, 0.1, 1e21, 1e-7, 1e-6, 123456789012345680000, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2),
);

/** Any I-JSON value (RFC 7493: finite numbers, well-formed strings), nested. */
export const iJsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
})).value;
