/**
 * Our DMARC evaluation (RFC 9989, DMARCbis) for the mail channel: measures E2 (act on the
 * sender's published policy on the receiving side), E3 (the sender's DNS), E4 (a DNS failure is
 * a temperror, never a pass or a false fail).
 *
 * Why our own and not mailauth 7.1's `dmarc()` result: mailauth does the Tree Walk, `np`, `psd`
 * and `sp`, but deviates in two places (DMARC.md beside the channel):
 *   1. `t=y` steps the policy down one level (reject → quarantine), RFC 7489's pct=0 behaviour;
 *      RFC 9989 4.7 "t" asks the receiver not to apply the policy at all.
 *   2. a `psd=y` record at the domain where the walk started stops the walk there; RFC 9989
 *      4.10 step 2 stops at the first name only on `psd=n`, and 4.10.2 rule 2 ignores a psd=y
 *      record "for the domain where the tree walk started".
 * A post-correction of mailauth's result would fix (1) but not (2): the Organizational Domain
 * changes, so every relaxed alignment would have to be walked again. So the whole evaluation
 * (walk, org domain, policy discovery, alignment, `t`) is here, over mailauth's SPF and DKIM
 * results, while the record lookup and parsing, the policy-tag validation (invalid `p` with a
 * valid `rua` → none) and the existence test for `np` are mailauth's own helpers (required
 * from `mailauth/lib/dmarc/get-dmarc-record.js`): they conform, and one parser is better than two.
 * Every name is looked up through the resolver given (ours: cached, so asking again after
 * mailauth's own evaluation costs no queries).
 */
import { createRequire } from 'node:module';
import type { ResolveResult } from '../dns-resolver.ts';

const require = createRequire(import.meta.url);

/** A parsed DMARC record, as mailauth's parser gives it (tag → value; `rr` the text). */
export interface DmarcRecord {
  readonly [tag: string]: string | number | undefined;
  readonly rr: string;
}

type Resolve = (name: string, rrtype: string) => Promise<ResolveResult>;

interface MailauthDmarcHelpers {
  createRecordLookup(
    resolver: Resolve,
    opts: { strict: boolean; warnings: Set<string> },
  ): (name: string) => Promise<DmarcRecord | false>;
  getPolicyTags(record: DmarcRecord): { p: Policy; sp?: Policy; np?: Policy } | null;
  domainExists(domain: string, resolver: Resolve): Promise<boolean>;
}
interface MailauthAuthorDomain {
  getAuthorDomain(
    headerFrom: readonly string[],
    fromFields: number,
  ): { domain?: string; authorDomain?: string; reason?: string; domains?: string[] };
}

const helpers = require('mailauth/lib/dmarc/get-dmarc-record.js') as MailauthDmarcHelpers;
const authorDomains = require('mailauth/lib/dmarc/author-domain.js') as MailauthAuthorDomain;
const tools = require('mailauth/lib/tools.js') as { formatDomain(domain: string): string };

export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const;
export type Policy = (typeof DMARC_POLICIES)[number];

/** RFC 9989 4.10 step 4: a name of eight or more labels is shortened straight to seven. */
const WALK_MAX_LABELS = 7;
/** Tree Walks per message for relaxed alignment (mailauth's cap, EWALKLIMIT → temperror). */
const MAX_ALIGNMENT_WALKS = 10;

export interface DmarcInput {
  /** The From header's addresses (mailauth's `headerFrom`), or one address. */
  readonly headerFrom: string | readonly string[];
  /** How many From header fields the message has (default 1). */
  readonly fromFields?: number;
  /** Domains with an SPF pass (the MAIL FROM domain, or the HELO name for a null sender). */
  readonly spfDomains: readonly string[];
  /** `d=` of each DKIM signature that passed. */
  readonly dkimDomains: readonly string[];
  readonly resolver: Resolve;
}

/** The DMARC result: what the headers, the detectors and the aggregate reports need. Plain JSON. */
export interface DmarcEvaluation {
  /** RFC 8601 keyword for dmarc. */
  readonly result: 'pass' | 'fail' | 'none' | 'temperror';
  /** The Author Domain (From), null when DMARC could not be evaluated. */
  readonly fromDomain: string | null;
  /** Why DMARC could not be evaluated (RFC 9989 5.3.1: no or several Author Domains). */
  readonly skipReason: string | null;
  /** The Organizational Domain (RFC 9989 4.10.2); null when unknown (a DNS failure). */
  readonly orgDomain: string | null;
  /** Where the applied record was published (the DMARC Policy Domain). */
  readonly policyDomain: string | null;
  readonly p: Policy | null;
  readonly sp: Policy | null;
  readonly np: Policy | null;
  /** The RFC 7489 `pct` as published (reported only: RFC 9989 removed it, and sampling would make verdicts random). */
  readonly pct: number | null;
  /** `t=y`: testing, the policy is not applied (RFC 9989 4.7 "t"). */
  readonly t: boolean;
  readonly psd: 'y' | 'n' | 'u' | null;
  /** The published policy for this author domain (p, sp or np as RFC 9989 4.10.1 picks), before `t`. */
  readonly published: Policy | null;
  /** The policy to enforce on a failure: `published`, or none with `t=y`; null without a record or on temperror. */
  readonly policy: Policy | null;
  /** The SPF and DKIM domains that aligned (null: none did). */
  readonly alignment: { readonly spf: string | null; readonly dkim: string | null };
  /** Every DKIM domain that aligned (for the per-signature flags). */
  readonly dkimAligned: readonly string[];
  /** The record applied. */
  readonly record: string | null;
  /** The DNS error behind a temperror. */
  readonly error: string | null;
}

interface Found {
  readonly domain: string;
  readonly record: DmarcRecord;
}

/** A domain literal or an IP address cannot publish a DMARC record. */
const isAddress = (domain: string): boolean => domain.startsWith('[') || /^[\d.]+$|:/.test(domain);

/**
 * The DNS Tree Walk (RFC 9989 4.10): records found, longest name first. It stops at a record
 * with psd=n anywhere, at psd=y anywhere but the starting name (steps 2 and 7), or when no
 * labels are left; at most eight queries. A DNS error ends it and is returned beside what was found.
 */
export async function treeWalk(
  domain: string,
  lookup: (name: string) => Promise<DmarcRecord | false>,
): Promise<{ found: Found[]; error?: Error }> {
  const found: Found[] = [];
  let labels = domain.split('.');
  let first = true;
  while (labels.length > 0) {
    const name = labels.join('.');
    let record: DmarcRecord | false;
    try {
      record = await lookup(name);
    } catch (error) {
      return { found, error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (record) {
      found.push({ domain: name, record });
      if (record.psd === 'n' || (record.psd === 'y' && !first)) break;
    }
    first = false;
    labels = labels.length > WALK_MAX_LABELS ? labels.slice(-WALK_MAX_LABELS) : labels.slice(1);
  }
  return { found };
}

/** Organizational Domain selection over a completed walk (RFC 9989 4.10.2, rules 1–3). */
export function selectOrgDomain(domain: string, found: readonly Found[]): string {
  for (const { domain: at, record } of found) {
    if (record.psd === 'n') return at;
    if (record.psd === 'y' && at !== domain) {
      return domain
        .split('.')
        .slice(-(at.split('.').length + 1))
        .join('.');
    }
  }
  return found.at(-1)?.domain ?? domain;
}

/** The record holding the Organizational Domain's policy: its own, else the PSD's above it. */
function orgRecordOf(orgDomain: string, found: readonly Found[]): Found | undefined {
  const last = found.at(-1);
  return found.find((e) => e.domain === orgDomain) ?? (last?.record.psd === 'y' ? last : undefined);
}

const policyOf = (value: unknown): Policy | null =>
  typeof value === 'string' && (DMARC_POLICIES as readonly string[]).includes(value)
    ? (value as Policy)
    : null;

const STRENGTH: Record<Policy, number> = { none: 0, quarantine: 1, reject: 2 };

function empty(fromDomain: string | null, skipReason: string | null): DmarcEvaluation {
  return {
    result: 'none',
    fromDomain,
    skipReason,
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
    dkimAligned: [],
    record: null,
    error: null,
  };
}

/**
 * Evaluates DMARC for a message (RFC 9989 4.10, 4.10.1, 4.10.2, 4.4, 4.7 "t"). Never throws
 * for DNS trouble: a lookup that failed where the answer depends on it is a `temperror`.
 */
export async function evaluateDmarc(input: DmarcInput): Promise<DmarcEvaluation> {
  const headerFrom = typeof input.headerFrom === 'string' ? [input.headerFrom] : [...input.headerFrom];
  const author = authorDomains.getAuthorDomain(headerFrom, input.fromFields ?? 1);
  if (!author.authorDomain) return empty(null, author.reason ?? 'no-author-domain');
  const authorDomain = author.authorDomain;
  const lookup = helpers.createRecordLookup(input.resolver, { strict: false, warnings: new Set() });
  const base = empty(authorDomain, null);
  if (isAddress(authorDomain)) return base;

  // Policy discovery (4.10.1): the author domain's own record, else the org domain's, else the PSD's.
  const walk = await treeWalk(authorDomain, lookup);
  let record: Found | undefined;
  let orgDomain: string | null;
  if (walk.found[0]?.domain === authorDomain) {
    record = walk.found[0];
    orgDomain = walk.error ? null : selectOrgDomain(authorDomain, walk.found);
  } else {
    if (walk.error) return { ...base, result: 'temperror', error: walk.error.message };
    orgDomain = selectOrgDomain(authorDomain, walk.found);
    record = orgRecordOf(orgDomain, walk.found);
  }
  if (!record) return { ...base, orgDomain };
  const tags = helpers.getPolicyTags(record.record);
  if (!tags) return { ...base, orgDomain };

  let published: Policy = tags.p;
  let existenceError: Error | undefined;
  if (record.domain !== authorDomain) {
    published = tags.sp ?? tags.p;
    if (tags.np && tags.np !== published) {
      try {
        if (!(await helpers.domainExists(authorDomain, input.resolver))) published = tags.np;
      } catch (error) {
        existenceError = error instanceof Error ? error : new Error(String(error));
        if (STRENGTH[tags.np] < STRENGTH[published]) published = tags.np;
      }
    }
  }
  const t = record.record.t === 'y';
  const psd = record.record.psd;
  const pct = record.record.pct;

  // Identifier alignment (4.4): strict is the exact author domain; relaxed compares org domains.
  const orgWalks = new Map<string, Promise<string>>();
  const alignsRelaxed = async (domain: string): Promise<boolean> => {
    if (domain === authorDomain) return true;
    if (orgDomain === null) {
      if (domain.split('.').at(-1) !== authorDomain.split('.').at(-1)) return false;
      throw walk.error ?? new Error('organizational domain unknown');
    }
    if (domain !== orgDomain && !domain.endsWith(`.${orgDomain}`)) return false;
    let org = orgWalks.get(domain);
    if (!org) {
      if (orgWalks.size >= MAX_ALIGNMENT_WALKS)
        throw new Error(`EWALKLIMIT: alignment of ${domain} not checked`);
      org = treeWalk(domain, lookup).then((w) => {
        if (w.error) throw w.error;
        return selectOrgDomain(domain, w.found);
      });
      orgWalks.set(domain, org);
    }
    return (await org) === orgDomain;
  };
  const findAligned = async (domains: readonly string[], strict: boolean) => {
    const aligned: string[] = [];
    let error: Error | undefined;
    for (const raw of domains) {
      const domain = tools.formatDomain(raw);
      if (!domain) continue;
      try {
        if (strict ? domain === authorDomain : await alignsRelaxed(domain)) aligned.push(domain);
      } catch (e) {
        error ??= e instanceof Error ? e : new Error(String(e));
      }
    }
    return { aligned, error };
  };
  const spf = await findAligned(input.spfDomains, record.record.aspf === 's');
  const dkim = await findAligned(input.dkimDomains, record.record.adkim === 's');
  const walkError = spf.error ?? dkim.error;
  const result: DmarcEvaluation['result'] =
    spf.aligned.length > 0 || dkim.aligned.length > 0
      ? 'pass'
      : walkError || existenceError
        ? 'temperror'
        : 'fail';
  const known = result !== 'temperror';
  return {
    result,
    fromDomain: authorDomain,
    skipReason: null,
    orgDomain,
    policyDomain: record.domain,
    p: tags.p,
    sp: tags.sp ?? tags.p,
    np: tags.np ?? null,
    pct: typeof pct === 'number' ? pct : null,
    t,
    psd: psd === 'y' || psd === 'n' || psd === 'u' ? psd : null,
    published: known ? published : null,
    // RFC 9989 4.7 "t": with t=y the receiver does not apply the policy.
    policy: known ? (t ? 'none' : published) : null,
    alignment: { spf: spf.aligned[0] ?? null, dkim: dkim.aligned[0] ?? null },
    dkimAligned: dkim.aligned,
    record: record.record.rr,
    error: result === 'temperror' ? ((walkError ?? existenceError)?.message ?? null) : null,
  };
}

/** True for a DMARC policy keyword. */
export function isDmarcPolicy(value: unknown): value is Policy {
  return policyOf(value) !== null;
}
