/**
 * The RFC 8601 `Authentication-Results` header value of a screened mail (measures E2, E3: the
 * recipient's mail client and later filters see what was checked; E4: a temporary failure is
 * written as temperror, never as pass or fail). Built from the verdict alone (the auth part's
 * hits carry the results in their params, rspamd's way), so the milter, the API and the
 * quarantine's release can all add the same header long after the screening.
 *
 * Written here rather than reusing mailauth's header text: the verdict, not mailauth's answer,
 * is what is kept, and our DMARC result (RFC 9989) differs from mailauth's where it deviates.
 * Every value the sender controls (domains, selectors, the HELO name) is written as an RFC 2045
 * token or a quoted-string with `"` and `\` escaped and everything outside printable ASCII
 * replaced, so that no sender can inject CR/LF, a `;` or a fake result.
 */
import type { Verdict, VerdictHit } from '../../../core/index.ts';

/** The longest value written (a domain name has at most 253 octets). */
export const MAX_VALUE = 255;
/** Past this length the resinfos go on lines of their own (RFC 5322 2.1.1: at most 998 octets a line). */
const FOLD_AT = 900;

/** RFC 2045 token: printable ASCII without SPACE and tspecials. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** A value (RFC 2045 `token / quoted-string`), safe for a header line. */
export function headerValue(raw: string): string {
  // a domain name is at most 253 octets: anything longer is cut, so that one value fits a line
  const ascii = raw.slice(0, MAX_VALUE).replace(/[^\x20-\x7e]/g, '?');
  if (ascii !== '' && TOKEN.test(ascii)) return ascii;
  return `"${ascii.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Text for a comment: letters, digits and a few marks only (no parentheses, backslashes or line breaks). */
const commentText = (raw: string): string => raw.replace(/[^A-Za-z0-9.=_, -]/g, '').slice(0, 200);

const param = (hit: VerdictHit, key: string): string => {
  const v = hit.params?.[key];
  return v === undefined ? '' : String(v);
};

const RESULTS = new Set(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy']);
/** The result keyword of a hit (a known keyword only: a param cannot smuggle text into the method). */
const resultOf = (hit: VerdictHit, fallback: string): string => {
  const r = param(hit, 'result');
  return RESULTS.has(r) ? r : fallback;
};

const DMARC_ORDER = [
  'MAIL_DMARC_REJECT',
  'MAIL_DMARC_QUARANTINE',
  'MAIL_DMARC_FAIL_NONE',
  'MAIL_DMARC_OVERRIDDEN_LOCAL',
  'MAIL_DMARC_OVERRIDDEN_ARC',
  'MAIL_DMARC_PASS',
  'MAIL_DMARC_NONE',
  'MAIL_DMARC_PERMERROR',
  'MAIL_DMARC_TEMPERROR',
];

function spf(hit: VerdictHit): string {
  const result = resultOf(hit, 'none');
  const mailFrom = param(hit, 'mailFrom');
  const domain = param(hit, 'domain');
  const helo = param(hit, 'helo');
  const props =
    mailFrom && domain
      ? ` smtp.mailfrom=${headerValue(domain)}`
      : helo
        ? ` smtp.helo=${headerValue(helo)}`
        : domain
          ? ` smtp.mailfrom=${headerValue(domain)}`
          : '';
  return `spf=${result}${props}`;
}

function dkim(hit: VerdictHit): string {
  const result = resultOf(hit, 'none');
  const d = param(hit, 'domain');
  const s = param(hit, 'selector');
  const a = param(hit, 'algorithm');
  return (
    `dkim=${result}` +
    (d ? ` header.d=${headerValue(d)}` : '') +
    (s ? ` header.s=${headerValue(s)}` : '') +
    (a ? ` header.a=${headerValue(a)}` : '')
  );
}

function dmarc(hits: readonly VerdictHit[]): string | undefined {
  const hit = DMARC_ORDER.map((name) => hits.find((h) => h.signal === name)).find((h) => h !== undefined);
  if (!hit) return undefined;
  const result = resultOf(hit, 'none');
  const from = param(hit, 'domain');
  const policy = param(hit, 'policy');
  const notes: string[] = [];
  const published = param(hit, 'published');
  if (published && published !== policy) notes.push(`published p=${published}`);
  const local = hits.find((h) => h.signal === 'MAIL_DMARC_OVERRIDDEN_LOCAL');
  if (local) notes.push(`local override=${param(local, 'action')}`);
  const arc = hits.find((h) => h.signal === 'MAIL_DMARC_OVERRIDDEN_ARC');
  if (arc) notes.push(`trusted ARC sealer=${param(arc, 'sealer')}`);
  return (
    `dmarc=${result}` +
    (notes.length ? ` (${commentText(notes.join(', '))})` : '') +
    (policy && result !== 'temperror' && result !== 'none' ? ` policy.dmarc=${headerValue(policy)}` : '') +
    (from ? ` header.from=${headerValue(from)}` : '')
  );
}

/**
 * The `Authentication-Results` value (without the field name) for a screened mail: one
 * resinfo per method the auth part checked, e.g.
 * `mx.example.jp; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example header.s=sel;
 * dmarc=pass policy.dmarc=reject header.from=a.example; arc=none`. Without authentication hits
 * (DNS off): `mx.example.jp; none`. When the authentication ran out of time or failed: every
 * method temperror. A value longer than one line allows is folded between resinfos.
 */
export function authenticationResultsHeader(verdict: Verdict, authServId: string): string {
  const id = headerValue(authServId);
  const hits = verdict.hits;
  const parts: string[] = [];
  for (const h of hits) if (h.signal.startsWith('MAIL_SPF_')) parts.push(spf(h));
  for (const h of hits) if (h.signal.startsWith('MAIL_DKIM_')) parts.push(dkim(h));
  const d = dmarc(hits);
  if (d) parts.push(d);
  const arc = hits.find((h) => h.signal === 'MAIL_ARC_PASS' || h.signal === 'MAIL_ARC_FAIL');
  if (parts.length > 0) {
    if (arc) {
      const instance = Number(param(arc, 'instance')) || 0;
      parts.push(
        `arc=${arc.signal === 'MAIL_ARC_PASS' ? 'pass' : 'fail'}${instance ? ` (i=${instance})` : ''}`,
      );
    } else parts.push('arc=none');
  }
  const bimi = hits.find((h) => h.signal === 'MAIL_BIMI_VALID');
  if (bimi) {
    const bd = param(bimi, 'domain');
    const bs = param(bimi, 'selector');
    parts.push(
      `bimi=pass${bd ? ` header.d=${headerValue(bd)}` : ''}${bs ? ` header.selector=${headerValue(bs)}` : ''}`,
    );
  }
  if (parts.length === 0) {
    const failed = verdict.enrichments?.find((e) => e.enrichment === 'mail.auth' && e.outcome === 'error');
    if (failed) {
      const why = `(authentication ${commentText(failed.code ?? 'failed')})`;
      return `${id}; spf=temperror ${why}; dkim=temperror ${why}; dmarc=temperror ${why}`;
    }
    return `${id}; none`;
  }
  const line = `${id}; ${parts.join('; ')}`;
  // folded (CRLF and a tab, RFC 5322 FWS) between resinfos when one line would be too long
  return line.length <= FOLD_AT ? line : `${id};\r\n\t${parts.join(';\r\n\t')}`;
}
