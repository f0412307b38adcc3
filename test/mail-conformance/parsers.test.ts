/**
 * Tests of the conformance suites' format parsers (issue 11 item 6; E2, E3): examples from the
 * suites and fast-check round trips, so that a loader bug cannot quietly drop or bend cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFakeDns, parsePslTests, parseRecordsAndMessage, txtStrings } from './parsers.ts';

const quote = (s: string | null): string => (s === null ? 'null' : `'${s.replace(/[\\']/g, '\\$&')}'`);

describe('parsePslTests', () => {
  it('reads cases with null, comments and IDNs', () => {
    const text = [
      '// Any copyright is dedicated to the Public Domain.',
      'checkPublicSuffix(null, null);',
      '',
      "checkPublicSuffix('WwW.example.COM', 'example.com');",
      "checkPublicSuffix('www.食狮.公司.cn', '食狮.公司.cn');",
    ].join('\n');
    expect(parsePslTests(text)).toEqual([
      { input: null, expected: null },
      { input: 'WwW.example.COM', expected: 'example.com' },
      { input: 'www.食狮.公司.cn', expected: '食狮.公司.cn' },
    ]);
  });

  it('refuses a line that is not a case', () => {
    expect(() => parsePslTests("checkPublicSuffix('a.com');")).toThrow(/line 1/);
  });

  it('round-trips any pair of values', () => {
    const value = fc.option(fc.string({ unit: 'grapheme' }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value)), (pairs) => {
        const text = pairs.map(([a, b]) => `checkPublicSuffix(${quote(a)}, ${quote(b)});`).join('\n');
        expect(parsePslTests(text)).toEqual(pairs.map(([input, expected]) => ({ input, expected })));
      }),
    );
  });
});

describe('parseFakeDns', () => {
  it('reads TXT values, NXDOMAIN, errors, empty and missing records', () => {
    const dns = parseFakeDns(
      [
        '# comment',
        'sel._domainkey.Example.org  v=DKIM1; k=rsa; p=AAAA',
        'nonexistent._domainkey.messiah.edu NXDOMAIN',
        'test3._domainkey.blackhole.messiah.edu ~~Query timed out~~',
        'test3._domainkey.blackhole2.messiah.edu ~~SERVFAIL~~',
        'empty._domainkey.example.org ""',
        'none._domainkey.example.org',
      ].join('\n'),
    );
    expect(Object.fromEntries(dns)).toEqual({
      'sel._domainkey.example.org': { kind: 'txt', value: 'v=DKIM1; k=rsa; p=AAAA' },
      'nonexistent._domainkey.messiah.edu': { kind: 'nxdomain' },
      'test3._domainkey.blackhole.messiah.edu': { kind: 'timeout' },
      'test3._domainkey.blackhole2.messiah.edu': { kind: 'servfail' },
      'empty._domainkey.example.org': { kind: 'txt', value: '' },
      'none._domainkey.example.org': { kind: 'nodata' },
    });
  });

  it('keeps any TXT value that has no surrounding spaces, for any name', () => {
    const name = fc.stringMatching(/^[a-z0-9_-]{1,20}(\.[a-z0-9-]{1,20}){1,3}$/);
    const value = fc
      .stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,80}$/)
      .filter((v) => !v.endsWith(' ') && v !== 'NXDOMAIN' && v !== '""' && !/^~~.*~~$/.test(v));
    fc.assert(
      fc.property(name, value, (n, v) => {
        expect(parseFakeDns(`${n} ${v}\n`).get(n)).toEqual({ kind: 'txt', value: v });
      }),
    );
  });
});

describe('parseRecordsAndMessage', () => {
  it('splits records from the message and sends the message with CRLF', () => {
    const parsed = parseRecordsAndMessage(
      'a._domainkey.x.org v=DKIM1; p=QQ\nA._domainkey.x.org k=rsa\n\nFrom: a\n\nbody\n',
    );
    expect(Object.fromEntries(parsed.records)).toEqual({ 'a._domainkey.x.org': ['v=DKIM1; p=QQ', 'k=rsa'] });
    expect(parsed.message).toBe('From: a\r\n\r\nbody\r\n');
  });

  it('refuses a vector without the blank line', () => {
    expect(() => parseRecordsAndMessage('a.org v=DKIM1\nFrom: a\n')).toThrow(/blank line/);
  });

  it('round-trips records and message bodies', () => {
    const name = fc.stringMatching(/^[a-z0-9]{1,10}\._domainkey\.[a-z]{1,10}\.org$/);
    const txt = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/);
    const body = fc.array(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), { maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.tuple(name, txt), { minLength: 1, maxLength: 5 }), body, (records, lines) => {
        const message = ['From: a@b.org', ...lines].join('\n');
        const text = `${records.map(([n, v]) => `${n} ${v}`).join('\n')}\n\n${message}`;
        const parsed = parseRecordsAndMessage(text);
        expect([...parsed.records.values()].flat()).toEqual(records.map(([, v]) => v));
        expect(parsed.message).toBe(message.replace(/\n/g, '\r\n'));
      }),
    );
  });
});

describe('txtStrings', () => {
  it('cuts a value into strings of at most 255 characters that join back to it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1200 }), (value) => {
        const strings = txtStrings(value);
        expect(strings.join('')).toBe(value);
        expect(strings.every((s) => s.length <= 255)).toBe(true);
      }),
    );
  });
});
