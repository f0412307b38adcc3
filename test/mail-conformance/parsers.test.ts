/**
 * Tests of the conformance suites' format parsers (issue 11 item 6; E2, E3): examples from the
 * suites and fast-check round trips, so that a loader bug cannot quietly drop or bend cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseFakeDns,
  parsePslTests,
  parseRecordsAndMessage,
  parseStalwartSpf,
  txtStrings,
} from './parsers.ts';

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

describe('parseStalwartSpf', () => {
  it('keeps DNS data across blocks, replaces a name set again, and snapshots each expect', () => {
    const cases = parseStalwartSpf(
      [
        '# comment: with a colon',
        'name: First',
        'records:',
        '  spf: test.org v=spf1 -all',
        '  mx: test.org 192.168.1.5, a::1',
        '  ptr: 10.0.0.1 h1.test.org, h2.test.org.',
        'tests:',
        '  - domain: mx.test.org',
        '    sender: sender@test.org',
        '    ip: a:b::1',
        "    expect: fail a:b::1 is not one of test.org's designated mail servers.",
        '---',
        'name: Second',
        '  - spf: test.org v=spf1 +all',
        '    ip: 10.0.0.1',
        '    expect: pass   ',
      ].join('\n'),
    );
    expect(cases).toHaveLength(2);
    expect(cases[0]).toMatchObject({
      title: 'First',
      index: 1,
      helo: 'mx.test.org',
      mailFrom: 'sender@test.org',
      ip: 'a:b::1',
      expect: 'fail',
      explanation: "a:b::1 is not one of test.org's designated mail servers.",
    });
    expect(cases[0]?.txt.get('test.org')).toBe('v=spf1 -all');
    expect(cases[0]?.mx.get('test.org')).toEqual(['192.168.1.5', 'a::1']);
    expect(cases[0]?.ptr.get('10.0.0.1')).toEqual(['h1.test.org', 'h2.test.org.']);
    expect(cases[1]).toMatchObject({ title: 'Second', helo: 'mx.test.org', ip: '10.0.0.1', expect: 'pass' });
    expect(cases[1]?.explanation).toBeUndefined();
    expect(cases[1]?.txt.get('test.org')).toBe('v=spf1 +all');
    expect(cases[1]?.mx.get('test.org')).toEqual(['192.168.1.5', 'a::1']);
  });

  it('makes one case per expect line, each with the last record set for its name', () => {
    const name = fc.constantFrom('a.org', 'b.org', 'c.test.org');
    const record = fc.stringMatching(/^v=spf1( [a-z0-9:./-]{1,12}){0,3}$/);
    const step = fc.oneof(
      fc.tuple(fc.constant('spf' as const), name, record),
      fc.tuple(fc.constant('expect' as const), fc.constantFrom('pass', 'fail', 'none')),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const lines = steps.map((st) =>
          st[0] === 'spf' ? `  spf: ${st[1]} ${st[2]}` : `    expect: ${st[1]}`,
        );
        const cases = parseStalwartSpf(lines.join('\n'));
        const txt = new Map<string, string>();
        const expected: { result: string; txt: Map<string, string> }[] = [];
        for (const st of steps) {
          if (st[0] === 'spf') txt.set(st[1], st[2]);
          else expected.push({ result: st[1], txt: new Map(txt) });
        }
        expect(cases.map((c) => ({ result: c.expect, txt: new Map(c.txt) }))).toEqual(expected);
      }),
    );
  });
});
