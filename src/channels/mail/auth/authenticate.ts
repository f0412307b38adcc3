/**
 * Authenticates one received mail (measures E2: DMARC on the receiving side; E3: BIMI and the
 * sender's domain; E4: a DNS failure is a temperror, never a silent pass or fail): SPF on the
 * client IP, HELO and MAIL FROM, DKIM (RSA and ed25519), ARC, DMARC (RFC 9989, DMARCbis) and
 * BIMI with mailauth's `authenticate()`, every lookup through the resolver given (ours,
 * `dns-resolver.ts`, or a zone file's, `zone-resolver.ts`). mailauth 7.1 conforms to RFC 9989
 * where we checked it (DMARC.md, `dmarc-rfc9989.test.ts`), so its DMARC answer is used as it is.
 * The answer is plain JSON (`MailAuthResult`, checked by `mailAuthResultSchema` when it comes
 * back as the `mail.auth` enrichment's answer), so that it can be logged, cached and compared by
 * the conformance runs. Our own code only reads mailauth's results, maps a DKIM body-hash
 * mismatch to `fail` (RFC 6376 6.1.3, mailauth's lenient mode says neutral), lists the ARC
 * sealers and decides whether a trusted sealer vouches for an upstream DMARC pass.
 */
import { type AuthenticateResult, authenticate } from 'mailauth';
import { z } from 'zod';
import type { DnsResolver } from '../dns-resolver.ts';
import type { MailEnvelope } from '../mail-schema.ts';

/** DMARC policy keywords (RFC 9989 4.7 "p", "sp", "np"). */
export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const;
export type Policy = (typeof DMARC_POLICIES)[number];

/** RFC 8601 result keywords (section 2.7), as used by SPF, DKIM, DMARC and ARC here. */
export const AUTH_KEYWORDS = [
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
  'policy',
] as const;
export type AuthKeyword = (typeof AUTH_KEYWORDS)[number];

const keyword = z.enum(AUTH_KEYWORDS);
const policy = z.enum(DMARC_POLICIES);
const str = z.string().max(2000);

export const mailAuthResultSchema = z.object({
  spf: z.object({
    result: keyword,
    /** The domain checked: the MAIL FROM domain, or the HELO name for a null sender. */
    domain: str.nullable(),
    mailFrom: str.nullable(),
    helo: str.nullable(),
    clientIp: str.nullable(),
    /** The sender's `exp=` text on a fail (third-party text: shown quoted, never trusted). */
    explanation: str.nullable(),
  }),
  dkim: z.object({
    /** The best result of the signatures: pass if one passed, else the first signature's, none without any. */
    result: keyword,
    signatures: z
      .array(
        z.object({
          result: keyword,
          domain: str.nullable(),
          selector: str.nullable(),
          algorithm: str.nullable(),
          /** The signature passed and its d= aligns with From (DMARC). */
          aligned: z.boolean(),
          comment: str.nullable(),
        }),
      )
      .max(100),
  }),
  dmarc: z.object({
    result: z.enum(['pass', 'fail', 'none', 'temperror']),
    fromDomain: str.nullable(),
    skipReason: str.nullable(),
    orgDomain: str.nullable(),
    policyDomain: str.nullable(),
    p: policy.nullable(),
    sp: policy.nullable(),
    np: policy.nullable(),
    pct: z.number().nullable(),
    t: z.boolean(),
    psd: z.enum(['y', 'n', 'u']).nullable(),
    /** The published policy for the author domain (p for its own record, else sp or np), before `t`. */
    published: policy.nullable(),
    /**
     * The policy to apply on a failure (RFC 9989 4.10.1 and 4.7 "t": with t=y one level below the
     * published one); null without a record or on temperror.
     */
    policy: policy.nullable(),
    alignment: z.object({ spf: str.nullable(), dkim: str.nullable() }),
    /** The DMARC record applied, as published. */
    record: str.nullable(),
    error: str.nullable(),
  }),
  arc: z.object({
    result: z.enum(['pass', 'fail', 'none']),
    /** The highest ARC instance (0 without a chain). */
    instance: z.number().int(),
    /** The d= of each ARC-Seal, instance 1 first. */
    sealers: z.array(str).max(50),
    /** What the last sealer's ARC-Authentication-Results says (only with a chain that passes). */
    upstream: z
      .object({
        authServId: str.nullable(),
        dmarc: str.nullable(),
        fromDomain: str.nullable(),
        spf: str.nullable(),
        dkim: str.nullable(),
      })
      .nullable(),
    /** The last sealer, when the chain passes, it is in `trustedArcSealers` and it says DMARC passed for this From domain. */
    vouchedBy: str.nullable(),
    comment: str.nullable(),
  }),
  bimi: z.object({
    result: z.enum(['pass', 'fail', 'none', 'skipped', 'declined', 'temperror']),
    domain: str.nullable(),
    selector: str.nullable(),
    /** The logo's URL (https, SVG Tiny PS), for the UI. */
    location: str.nullable(),
    /** The VMC's URL (not fetched or checked here). */
    authority: str.nullable(),
    comment: str.nullable(),
  }),
});

/** The authentication of one mail, as plain JSON. */
export type MailAuthResult = z.infer<typeof mailAuthResultSchema>;

export interface AuthenticateMailInput {
  readonly bytes: Buffer;
  readonly envelope: MailEnvelope;
  readonly resolver: Pick<DnsResolver, 'resolve'>;
  /** This MTA's name (the authserv-id of the headers). */
  readonly authServId: string;
  /** The time signatures are checked at (kept for the callers; mailauth reads the clock itself). */
  readonly now?: Date;
  /** ARC sealers whose word about upstream results is taken (a mailing list, a forwarder). */
  readonly trustedArcSealers?: readonly string[];
}

const asKeyword = (value: unknown): AuthKeyword => {
  const v = typeof value === 'string' ? value.toLowerCase() : 'none';
  if (v === 'temperr') return 'temperror';
  return (AUTH_KEYWORDS as readonly string[]).includes(v) ? (v as AuthKeyword) : 'none';
};
const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value.slice(0, 2000) : null;

interface LooseAuthResults {
  mta?: unknown;
  dmarc?: { result?: unknown; header?: { from?: unknown } };
  spf?: { result?: unknown };
  dkim?: Array<{ result?: unknown }>;
}

/**
 * Runs SPF, DKIM, ARC, DMARC and BIMI for one mail through `resolver` and returns the results as
 * plain JSON. A DNS failure gives `temperror` for the check that needed the answer. Throws only
 * on a bug (mailauth's own errors are results).
 *
 * @example const auth = await authenticateMail({ bytes, envelope, resolver: createDnsResolver(), authServId: 'mx.example.jp' });
 */
export async function authenticateMail(input: AuthenticateMailInput): Promise<MailAuthResult> {
  const { envelope } = input;
  const resolve = input.resolver.resolve.bind(input.resolver);
  const result = await authenticate(input.bytes, {
    ...(envelope.clientIp ? { ip: envelope.clientIp } : {}),
    ...(envelope.helo ? { helo: envelope.helo } : {}),
    // an empty MAIL FROM is the null sender: SPF then checks the HELO name (RFC 7208 2.4)
    sender: envelope.mailFrom ?? '',
    mta: input.authServId,
    resolver: resolve as never,
    // RFC 8301: rsa-sha1 signatures do not count
    rejectRsaSha1: true,
  });

  const spf = result.spf;
  // without the client's IP there is nothing to check (mailauth says temperror: RFC 7208 4.1 needs
  // <ip>); asking again later would not help, so it is none
  const spfResult = spf && envelope.clientIp ? asKeyword(spf.status.result) : 'none';
  const spfDomain = spf ? text(spf.domain) : null;

  const signatures = (result.dkim.results ?? []).filter((r) => r.signingDomain || r.status.result !== 'none');

  const mailauthDmarc = readDmarc(result.dmarc, result.dmarcSkipReason);
  const dkimSignatures = signatures.slice(0, 100).map((r) => {
    const domain = text(r.signingDomain);
    // RFC 6376 6.1.3 step 3: a body hash mismatch is a PERMFAIL, which RFC 8601 reports as fail;
    // mailauth's lenient mode says neutral (its strict mode, fail).
    const bodyHash = r.status.result === 'neutral' && r.status.comment === 'body hash did not verify';
    const res = bodyHash ? 'fail' : asKeyword(r.status.result);
    return {
      result: res,
      domain,
      selector: text(r.selector),
      algorithm: text(r.algo),
      // authenticate() sets `aligned` of a passing signature from the DMARC verdict (RFC 9989 Tree Walks)
      aligned: res === 'pass' && typeof r.status.aligned === 'string' && r.status.aligned !== '',
      comment: text(r.status.comment),
    };
  });
  const dkimResult: AuthKeyword = dkimSignatures.some((s) => s.result === 'pass')
    ? 'pass'
    : (dkimSignatures[0]?.result ?? 'none');

  const dmarc = undecidedFailure(mailauthDmarc, spfResult === 'temperror' ? spfDomain : null, dkimSignatures);

  const arc = result.arc;
  const rawChain = arc ? (arc as { chain?: unknown }).chain : undefined;
  const chain: unknown[] = Array.isArray(rawChain) ? rawChain : [];
  const sealers = chain
    .map((entry) => {
      const seal = (entry as { 'arc-seal'?: { parsed?: { d?: { value?: unknown } } } })['arc-seal'];
      return text(seal?.parsed?.d?.value)?.toLowerCase() ?? '';
    })
    .slice(0, 50);
  const arcResult = arc ? asKeyword(arc.status.result) : 'none';
  const aar =
    arc && arcResult === 'pass' ? (arc.authenticationResults as LooseAuthResults | undefined) : undefined;

  const bimi = result.bimi;
  const bimiStatus = bimi ? String(bimi.status.result).toLowerCase() : 'none';
  const bimiHeader = (bimi ? bimi.status.header : undefined) as
    | { d?: unknown; selector?: unknown }
    | undefined;

  const out: MailAuthResult = {
    spf: {
      result: spfResult,
      domain: spfDomain,
      mailFrom: text(envelope.mailFrom),
      helo: text(envelope.helo),
      clientIp: text(envelope.clientIp),
      explanation: spf ? text(spf.explanation) : null,
    },
    dkim: { result: dkimResult, signatures: dkimSignatures },
    dmarc,
    arc: {
      result: arcResult === 'pass' || arcResult === 'fail' ? arcResult : 'none',
      instance: arc && typeof arc.i === 'number' ? arc.i : 0,
      sealers: arcResult === 'none' ? [] : sealers,
      upstream: aar
        ? {
            authServId: text(aar.mta),
            dmarc: text(aar.dmarc?.result),
            fromDomain: text(aar.dmarc?.header?.from)?.toLowerCase() ?? null,
            spf: text(aar.spf?.result),
            dkim: text(aar.dkim?.find((d) => d.result === 'pass')?.result ?? aar.dkim?.[0]?.result),
          }
        : null,
      vouchedBy: null as string | null,
      comment: arc ? text(arc.status.comment) : null,
    },
    bimi: {
      result: (['pass', 'fail', 'none', 'skipped', 'declined', 'temperror'] as const).includes(
        bimiStatus as 'pass',
      )
        ? (bimiStatus as MailAuthResult['bimi']['result'])
        : bimiStatus === 'temperr'
          ? 'temperror'
          : 'none',
      domain: text(bimiHeader?.d),
      selector: text(bimiHeader?.selector),
      location: bimi ? text(bimi.location) : null,
      authority: bimi ? text(bimi.authority) : null,
      comment: bimi ? text(bimi.status.comment) : null,
    },
  };
  const vouchedBy = arcVouchesDmarc(out, input.trustedArcSealers ?? []);
  return vouchedBy ? { ...out, arc: { ...out.arc, vouchedBy } } : out;
}

/** True when the ARC chain passes, its last sealer is trusted, and it says DMARC passed upstream for this From domain. */
export function arcVouchesDmarc(auth: MailAuthResult, trustedSealers: readonly string[]): string | null {
  if (auth.arc.result !== 'pass' || !auth.arc.upstream) return null;
  const sealer = auth.arc.sealers.at(-1);
  if (!sealer) return null;
  const trusted = trustedSealers.some((t) => {
    const d = t.toLowerCase().replace(/\.$/, '');
    return sealer === d || sealer.endsWith(`.${d}`);
  });
  if (!trusted) return null;
  if (auth.arc.upstream.dmarc?.toLowerCase() !== 'pass') return null;
  const from = auth.arc.upstream.fromDomain?.replace(/\.$/, '');
  if (from && auth.dmarc.fromDomain && from !== auth.dmarc.fromDomain) return null;
  return sealer;
}

const TEST_MODE_POLICY: Record<Policy, Policy> = { reject: 'quarantine', quarantine: 'none', none: 'none' };
const asPolicy = (value: unknown): Policy | null =>
  typeof value === 'string' && (DMARC_POLICIES as readonly string[]).includes(value)
    ? (value as Policy)
    : null;
const domainText = (value: unknown): string | null => text(value)?.toLowerCase().replace(/\.+$/, '') ?? null;

/**
 * mailauth's DMARC result as plain JSON. mailauth 7.1 implements RFC 9989 (Tree Walk, psd, np,
 * sp, t=y one level below): see DMARC.md and dmarc-rfc9989.test.ts, which check it through our
 * resolver; so its answer is used as it is, only read.
 */
function readDmarc(d: AuthenticateResult['dmarc'], skipReason: string | undefined): MailAuthResult['dmarc'] {
  if (!d) {
    return {
      result: 'none',
      fromDomain: null,
      skipReason: skipReason ?? 'no-author-domain',
      orgDomain: null,
      policyDomain: null,
      p: null,
      sp: null,
      np: null,
      pct: null,
      t: false,
      psd: null,
      published: null,
      policy: null,
      alignment: { spf: null, dkim: null },
      record: null,
      error: null,
    };
  }
  const raw = String(d.status.result).toLowerCase();
  const result =
    raw === 'pass' || raw === 'fail' || raw === 'temperror' ? raw : raw === 'temperr' ? 'temperror' : 'none';
  // the applied record as parsed by mailauth (not enumerable on the result)
  const record = (d as { record?: Record<string, unknown> }).record;
  const known = result === 'pass' || result === 'fail';
  const policy = known ? asPolicy(d.policy) : null;
  const p = asPolicy(d.p);
  const fromDomain = domainText(d.status.header?.from);
  const policyDomain = domainText(d.policyDomain);
  const candidates = (
    policyDomain !== null && policyDomain === fromDomain ? [p] : [asPolicy(d.sp), asPolicy(d.np), p]
  ).filter((x): x is Policy => x !== null);
  const published =
    policy === null
      ? null
      : d.testMode
        ? (candidates.find((c) => TEST_MODE_POLICY[c] === policy) ?? policy)
        : policy;
  const psd = typeof record?.psd === 'string' ? record.psd : null;
  const pct = typeof record?.pct === 'number' ? record.pct : null;
  return {
    result,
    fromDomain,
    skipReason: null,
    orgDomain: domainText(d.domain),
    policyDomain,
    p: result === 'none' ? null : p,
    sp: result === 'none' ? null : asPolicy(d.sp),
    np: result === 'none' ? null : asPolicy(d.np),
    pct,
    t: d.testMode === true,
    psd: psd === 'y' || psd === 'n' || psd === 'u' ? psd : null,
    published,
    policy,
    alignment: { spf: domainText(d.alignment?.spf?.result), dkim: domainText(d.alignment?.dkim?.result) },
    record: text(d.rr),
    error: result === 'temperror' ? (text(d.error) ?? 'temporary DNS error') : null,
  };
}

/** True when `domain` is the author domain or under its Organizational Domain (could align, relaxed). */
function couldAlign(domain: string, d: MailAuthResult['dmarc']): boolean {
  const name = domain.toLowerCase().replace(/\.+$/, '');
  const org = d.orgDomain ?? d.fromDomain;
  return name === d.fromDomain || (org !== null && (name === org || name.endsWith(`.${org}`)));
}

/**
 * A DMARC fail that a temporary error may have caused is a temperror (E4: never a false fail).
 * When nothing aligned passed, but SPF or a DKIM signature whose domain could align ended in
 * temperror, the pass that would have followed is not ruled out: the sender's policy is not
 * applied on a DNS hiccup (RFC 9989 4.10.1 leaves DNS errors to the receiver; this receiver
 * fails open rather than refusing real mail, and reports temperror).
 */
export function undecidedFailure(
  d: MailAuthResult['dmarc'],
  spfTempDomain: string | null,
  signatures: MailAuthResult['dkim']['signatures'],
): MailAuthResult['dmarc'] {
  if (d.result !== 'fail') return d;
  const spf = spfTempDomain !== null && couldAlign(spfTempDomain, d);
  const dkim = signatures.find(
    (s) => s.result === 'temperror' && s.domain !== null && couldAlign(s.domain, d),
  );
  if (!spf && !dkim) return d;
  const why = spf ? `SPF of ${spfTempDomain}` : `DKIM of ${dkim?.domain ?? ''}`;
  return {
    ...d,
    result: 'temperror',
    policy: null,
    error: `${why} ended in temperror: a pass is not ruled out`,
  };
}
