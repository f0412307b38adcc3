/**
 * The Authentication-Results header (RFC 8601; measures E2, E3, E4) built from a verdict's
 * hits: read back by a small RFC 8601 parser written here, and a fast-check property that a
 * hostile domain, selector or HELO name can neither break the line (CR/LF: header injection)
 * nor add a method, a property or a result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Verdict, VerdictHit } from '../../../core/index.ts';
import { authenticationResultsHeader, headerValue } from './authentication-results.ts';

interface Resinfo {
  method: string;
  result: string;
  props: Record<string, string>;
}
interface Parsed {
  authServId: string;
  results: Resinfo[];
}

/**
 * RFC 8601 section 2.2 (with RFC 5322 CFWS and RFC 2045 value): authserv-id, then `; none` or
 * resinfos `; method=result [reason=value] *(ptype.property=pvalue)`. Throws on anything else.
 */
function parseAuthResults(text: string): Parsed {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
  };
  const cfws = () => {
    for (;;) {
      for (;;) {
        if (text[i] === ' ' || text[i] === '\t') i++;
        // FWS: a line break only before white space
        else if (text.startsWith('\r\n', i) && (text[i + 2] === ' ' || text[i + 2] === '\t')) i += 3;
        else break;
      }
      if (text[i] !== '(') return;
      let depth = 0;
      do {
        const c = text[i];
        if (c === undefined) fail('unterminated comment');
        if (c === '\\') i++;
        else if (c === '(') depth++;
        else if (c === ')') depth--;
        i++;
      } while (depth > 0);
    }
  };
  const token = () => {
    const m = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+/.exec(text.slice(i));
    if (!m) return fail('token expected');
    i += m[0].length;
    return m[0];
  };
  const keyword = () => {
    const m = /^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?/.exec(text.slice(i));
    if (!m) return fail('keyword expected');
    i += m[0].length;
    return m[0];
  };
  const value = () => {
    if (text[i] !== '"') return token();
    i++;
    let out = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) return fail('unterminated quoted-string');
      if (c === '"') return out;
      if (c === '\\') {
        const n = text[i++];
        if (n === undefined) return fail('bad quoted-pair');
        out += n;
      } else if (c < ' ' || c > '~') fail('bad qtext');
      else out += c;
    }
  };
  const expect_ = (c: string) => {
    cfws();
    if (text[i] !== c) fail(`${c} expected`);
    i++;
    cfws();
  };
  cfws();
  const authServId = value();
  const results: Resinfo[] = [];
  cfws();
  expect_(';');
  const save = i;
  if (text.slice(i) === 'none') return { authServId, results };
  i = save;
  for (;;) {
    const method = keyword();
    expect_('=');
    const result = keyword();
    const props: Record<string, string> = {};
    for (;;) {
      cfws();
      if (i >= text.length || text[i] === ';') break;
      const ptype = keyword();
      if (ptype === 'reason') {
        expect_('=');
        props.reason = value();
        continue;
      }
      expect_('.');
      const property = keyword();
      expect_('=');
      props[`${ptype}.${property}`] = value();
    }
    results.push({ method, result, props });
    if (i >= text.length) break;
    expect_(';');
  }
  return { authServId, results };
}

function verdict(hits: Array<Pick<VerdictHit, 'signal' | 'params'> & { factor?: number }>): Verdict {
  return {
    id: 'v',
    orgId: 'o',
    channel: 'mail',
    eventId: 'e',
    action: 'allow',
    score: 0,
    hits: hits.map((h) => ({
      group: 'auth',
      detector: 'mail.auth',
      factor: h.factor ?? 1,
      weight: 0,
      score: 0,
      evidence: [],
      ...h,
    })),
    outcomes: [],
    reasons: [],
    summary: { ja: '', en: '' },
    indicators: [],
    policy: { id: 'mail.default', version: 0 },
    timings: { pre: 0, detect: 0, post: 0, observe: 0, total: 0 },
    createdAt: '2026-01-15T00:00:00Z',
  };
}

describe('authenticationResultsHeader', () => {
  it('builds every method from the hits and reads back with an RFC 8601 parser', () => {
    const v = verdict([
      {
        signal: 'MAIL_SPF_PASS',
        params: {
          result: 'pass',
          domain: 'a.example',
          mailFrom: 'b@a.example',
          helo: 'mx.a.example',
          ip: '192.0.2.1',
        },
      },
      {
        signal: 'MAIL_DKIM_PASS',
        params: { result: 'pass', domain: 'a.example', selector: 'sel', algorithm: 'rsa-sha256' },
      },
      {
        signal: 'MAIL_DKIM_FAIL',
        factor: 0,
        params: { result: 'fail', domain: 'esp.example', selector: 's2', algorithm: 'ed25519-sha256' },
      },
      { signal: 'MAIL_DMARC_PASS', params: { result: 'pass', domain: 'a.example', policy: 'reject' } },
      { signal: 'MAIL_ARC_PASS', params: { result: 'pass', instance: 2 } },
      {
        signal: 'MAIL_BIMI_VALID',
        params: { domain: 'a.example', selector: 'default', location: 'https://a.example/l.svg' },
      },
    ]);
    const header = authenticationResultsHeader(v, 'mx.example.jp');
    expect(header).toBe(
      'mx.example.jp; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example header.s=sel header.a=rsa-sha256; dkim=fail header.d=esp.example header.s=s2 header.a=ed25519-sha256; dmarc=pass policy.dmarc=reject header.from=a.example; arc=pass (i=2); bimi=pass header.d=a.example header.selector=default',
    );
    const parsed = parseAuthResults(header);
    expect(parsed.authServId).toBe('mx.example.jp');
    expect(parsed.results.map((r) => `${r.method}=${r.result}`)).toEqual([
      'spf=pass',
      'dkim=pass',
      'dkim=fail',
      'dmarc=pass',
      'arc=pass',
      'bimi=pass',
    ]);
    expect(parsed.results[3]?.props).toEqual({ 'policy.dmarc': 'reject', 'header.from': 'a.example' });
  });

  it('no authentication hits: "authserv-id; none"; a null sender is checked on the HELO name', () => {
    expect(authenticationResultsHeader(verdict([]), 'mx.example.jp')).toBe('mx.example.jp; none');
    expect(parseAuthResults('mx.example.jp; none')).toEqual({ authServId: 'mx.example.jp', results: [] });
    const h = authenticationResultsHeader(
      verdict([
        {
          signal: 'MAIL_SPF_NONE',
          params: { result: 'none', domain: 'mx.a.example', mailFrom: '', helo: 'mx.a.example' },
        },
      ]),
      'mx.example.jp',
    );
    expect(h).toBe('mx.example.jp; spf=none smtp.helo=mx.a.example; arc=none');
  });

  it('many signatures: folded between resinfos, every line under 998 octets, parsed the same', () => {
    const sigs = Array.from({ length: 10 }, (_, n) => ({
      signal: n === 0 ? 'MAIL_DKIM_PASS' : 'MAIL_DKIM_FAIL',
      factor: n === 0 ? 1 : 0,
      params: {
        result: n === 0 ? 'pass' : 'fail',
        domain: `${'d'.repeat(60)}.s${n}.example`,
        selector: 's'.repeat(60),
      },
    }));
    const header = authenticationResultsHeader(verdict(sigs), 'mx.example.jp');
    expect(header).toContain('\r\n\t');
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThan(998);
    const parsed = parseAuthResults(header);
    expect(parsed.results.filter((r) => r.method === 'dkim')).toHaveLength(10);
    expect(parsed.results[0]?.props['header.s']).toBe('s'.repeat(60));
  });

  it('an authserv-id that is not a token is quoted', () => {
    expect(authenticationResultsHeader(verdict([]), 'mx example;jp')).toBe('"mx example;jp"; none');
  });

  it('a param cannot change the result keyword', () => {
    const h = authenticationResultsHeader(
      verdict([
        {
          signal: 'MAIL_SPF_FAIL',
          params: { result: 'pass; dkim=pass', domain: 'a.example', mailFrom: 'x@a.example' },
        },
      ]),
      'mx',
    );
    expect(h).toBe('mx; spf=none smtp.mailfrom=a.example; arc=none');
  });

  const hostile = fc.string({ unit: 'binary', maxLength: 40 });
  it('property: hostile domains, selectors and names never break the line and read back as given (ASCII) ', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (domain, selector, helo, id) => {
        const v = verdict([
          {
            signal: 'MAIL_SPF_FAIL',
            params: { result: 'fail', domain, mailFrom: domain ? `x@${domain}` : '', helo },
          },
          { signal: 'MAIL_DKIM_FAIL', params: { result: 'fail', domain, selector, algorithm: 'rsa-sha256' } },
          {
            signal: 'MAIL_DMARC_REJECT',
            params: { result: 'fail', domain, policy: 'reject', published: selector },
          },
          { signal: 'MAIL_DMARC_OVERRIDDEN_ARC', params: { result: 'fail', domain, sealer: selector } },
          { signal: 'MAIL_BIMI_VALID', params: { domain, selector, location: 'https://x' } },
        ]);
        const header = authenticationResultsHeader(v, id || 'mx');
        // no line break but the folding one (CRLF and a tab), no NUL, only printable ASCII
        expect(header.replace(/\r\n\t/g, ' ')).toMatch(/^[\x20-\x7e]*$/);
        const parsed = parseAuthResults(header);
        expect(parsed.results.map((r) => r.method)).toEqual(['spf', 'dkim', 'dmarc', 'arc', 'bimi']);
        const ascii = (s: string) => s.slice(0, 255).replace(/[^\x20-\x7e]/g, '?');
        if (domain) {
          expect(parsed.results[1]?.props['header.d']).toBe(ascii(domain));
          expect(parsed.results[2]?.props['header.from']).toBe(ascii(domain));
        }
        if (selector) expect(parsed.results[1]?.props['header.s']).toBe(ascii(selector));
        expect(parsed.authServId).toBe(ascii(id || 'mx'));
      }),
      { numRuns: 500 },
    );
  });

  it('property: headerValue is a token or a quoted-string of printable ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const v = headerValue(s);
        expect(v).toMatch(
          /^(?:[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+|"(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\["\\])*")$/,
        );
      }),
      { numRuns: 500 },
    );
  });
});
