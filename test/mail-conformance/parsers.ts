/**
 * Parsers of the small text formats the conformance suites come in (issue 11 item 6; measures
 * E2, E3). Written here because each is a test-data format of one suite with no library:
 *
 * - the Public Suffix List's `tests/test_psl.txt`: `checkPublicSuffix('input', 'expected');`
 *   with `null` for either side, `//` comments;
 * - Mail::DKIM's `t/FAKE_DNS.dat`: `<name> <TXT value>` a line, `NXDOMAIN` for a name that does
 *   not exist, `~~text~~` for a DNS error (`timed out` → a timeout, anything else → SERVFAIL),
 *   `""` for an empty TXT record, nothing after the name for a name with no TXT record;
 * - Stalwart mail-auth's `resources/{dkim,arc}/NNN.txt`: lines `<name> <TXT value>`, a blank
 *   line, then the message (LF line ends, sent with CRLF as on the wire).
 */

export interface PslCase {
  readonly input: string | null;
  readonly expected: string | null;
}

const PSL_VALUE = String.raw`(null|'(?:[^'\\]|\\.)*')`;
const PSL_LINE = new RegExp(String.raw`^checkPublicSuffix\(\s*${PSL_VALUE}\s*,\s*${PSL_VALUE}\s*\);\s*$`);

const pslValue = (token: string): string | null =>
  token === 'null' ? null : token.slice(1, -1).replace(/\\(.)/g, '$1');

/** The cases of test_psl.txt, in order; throws on a line that is neither a case nor a comment. */
export function parsePslTests(text: string): PslCase[] {
  const cases: PslCase[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) continue;
    const m = PSL_LINE.exec(line);
    if (!m?.[1] || !m[2]) throw new Error(`test_psl.txt line ${index + 1}: not a case: ${line}`);
    cases.push({ input: pslValue(m[1]), expected: pslValue(m[2]) });
  }
  return cases;
}

/** How a fake DNS name answers (TXT only). */
export type FakeDnsAnswer =
  | { readonly kind: 'txt'; readonly value: string }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'nxdomain' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'servfail' };

/** FAKE_DNS.dat as name (lower case) → answer; later lines for a name replace earlier ones. */
export function parseFakeDns(text: string): Map<string, FakeDnsAnswer> {
  const out = new Map<string, FakeDnsAnswer>();
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const m = /^\s*(\S+)(?:\s+(.*?))?\s*$/.exec(raw);
    if (!m?.[1]) continue;
    const name = m[1].replace(/\.$/, '').toLowerCase();
    const value = m[2] ?? '';
    let answer: FakeDnsAnswer;
    if (value === '') answer = { kind: 'nodata' };
    else if (value === 'NXDOMAIN') answer = { kind: 'nxdomain' };
    else if (/^~~.*~~$/.test(value))
      answer = /timed out/i.test(value) ? { kind: 'timeout' } : { kind: 'servfail' };
    else if (value === '""') answer = { kind: 'txt', value: '' };
    else answer = { kind: 'txt', value };
    out.set(name, answer);
  }
  return out;
}

export interface RecordsAndMessage {
  /** name (lower case) → TXT values, in order. */
  readonly records: Map<string, string[]>;
  /** The message with CRLF line ends. */
  readonly message: string;
}

/** A Stalwart `NNN.txt` vector: the DNS block, a blank line, the message. */
export function parseRecordsAndMessage(text: string): RecordsAndMessage {
  const normalised = text.replace(/\r\n/g, '\n');
  const split = normalised.indexOf('\n\n');
  if (split < 0) throw new Error('no blank line after the DNS records');
  const records = new Map<string, string[]>();
  for (const line of normalised.slice(0, split).split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) throw new Error(`not a DNS record line: ${line}`);
    const name = m[1].replace(/\.$/, '').toLowerCase();
    records.set(name, [...(records.get(name) ?? []), m[2]]);
  }
  return { records, message: normalised.slice(split + 2).replace(/\n/g, '\r\n') };
}

/** A TXT value as the strings of one record: at most 255 characters each (RFC 1035 3.3.14). */
export function txtStrings(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out.length > 0 ? out : [''];
}

/** One case of Stalwart's SPF suite: the DNS data in force when its `expect:` line came. */
export interface StalwartSpfCase {
  /** `name:` of its block and the case's number in the file (1-based). */
  readonly title: string;
  readonly index: number;
  /** HELO (`domain:`), MAIL FROM (`sender:`) and client IP (`ip:`); 127.0.0.1 until set. */
  readonly helo: string;
  readonly mailFrom: string;
  readonly ip: string;
  readonly expect: string;
  /** The expected explanation text, when the `expect:` line has one. */
  readonly explanation?: string;
  /** name → TXT (`spf:` and `exp:` share it, the last one set wins). */
  readonly txt: ReadonlyMap<string, string>;
  /** name → addresses (`a:`, `aaaa:`), name → MX host addresses in preference order (`mx:`). */
  readonly a: ReadonlyMap<string, readonly string[]>;
  readonly aaaa: ReadonlyMap<string, readonly string[]>;
  readonly mx: ReadonlyMap<string, readonly string[]>;
  /** IP address → PTR names (`ptr:`). */
  readonly ptr: ReadonlyMap<string, readonly string[]>;
}

/**
 * Stalwart's SPF suite files (`resources/spf/*.yml`). Not YAML to a YAML parser (keys repeat):
 * upstream reads them line by line, a leading `-` dropped, and so does this: `spf:`/`exp:`/`a:`/
 * `aaaa:`/`mx:`/`ptr:` set DNS data (kept for the rest of the file, a later line for the same
 * name replaces it), `domain:`/`sender:`/`ip:` set the identities, `expect: <result> [text]`
 * makes a case with everything in force at that line.
 */
export function parseStalwartSpf(text: string): StalwartSpfCase[] {
  const txt = new Map<string, string>();
  const a = new Map<string, string[]>();
  const aaaa = new Map<string, string[]>();
  const mx = new Map<string, string[]>();
  const ptr = new Map<string, string[]>();
  const cases: StalwartSpfCase[] = [];
  let title = '';
  let helo = '';
  let mailFrom = '';
  let ip = '127.0.0.1';
  const list = (value: string): string[] =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const pair = (value: string): [string, string] => {
    const v = value.trim();
    const space = v.indexOf(' ');
    if (space < 0) throw new Error(`Stalwart SPF: no value after the name in "${value}"`);
    return [v.slice(0, space).toLowerCase(), v.slice(space + 1).trim()];
  };
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line.startsWith('-')) line = line.slice(1).trim();
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    switch (key) {
      case 'name':
        title = value.trim();
        break;
      case 'spf':
      case 'exp': {
        const [name, record] = pair(value);
        txt.set(name, record);
        break;
      }
      case 'a':
      case 'aaaa':
      case 'mx': {
        const [name, addresses] = pair(value);
        (key === 'a' ? a : key === 'aaaa' ? aaaa : mx).set(name, list(addresses));
        break;
      }
      case 'ptr': {
        const [address, names] = pair(value);
        ptr.set(address, list(names));
        break;
      }
      case 'domain':
        helo = value.trim();
        break;
      case 'sender':
        mailFrom = value.trim();
        break;
      case 'ip':
        ip = value.trim();
        break;
      case 'expect': {
        const v = value.trim();
        const space = v.indexOf(' ');
        const result = space < 0 ? v : v.slice(0, space);
        const explanation = space < 0 ? undefined : v.slice(space + 1).trim();
        cases.push({
          title,
          index: cases.length + 1,
          helo,
          mailFrom,
          ip,
          expect: result,
          ...(explanation ? { explanation } : {}),
          txt: new Map(txt),
          a: new Map(a),
          aaaa: new Map(aaaa),
          mx: new Map(mx),
          ptr: new Map(ptr),
        });
        break;
      }
    }
  }
  return cases;
}
