/**
 * The mail channel's authentication part (measures E2: act on the sender's DMARC policy on the
 * receiving side, with local overrides and ARC for forwarders; E3: BIMI, the sender's domain;
 * E4: a DNS failure is a temperror that never adds much risk, a forwarded mail vouched for by a
 * trusted ARC sealer is not refused).
 *
 * The enrichment `mail.auth` authenticates the mail once (`authenticateMail`: mailauth for SPF,
 * DKIM, ARC and BIMI, our RFC 9989 evaluation for DMARC) through the channel's resolver, which
 * caches DNS answers by TTL; so the enrichment keeps no cache of its own. Detectors turn the
 * answer into one hit per method whatever the result (rspamd's R_SPF_ALLOW… approach), with
 * params carrying what the `Authentication-Results` header needs (`authentication-results.ts`
 * builds it from the verdict alone), and into the forced actions of the sender's policy:
 * `MAIL_DMARC_REJECT` (block: 550 5.7.1) and `MAIL_DMARC_QUARANTINE` (hold: the quarantine).
 * With DNS off (`options.dns === 'off'`) the part has no enrichment and no detectors.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import type { FieldIssue, Hit } from '../../../core/index.ts';
import { defineSignals } from '../../../core/index.ts';
import type { ChannelDeps } from '../../channel-deps.ts';
import { createDnsResolver } from '../dns-resolver.ts';
import type { MailChannelOptions } from '../index.ts';
import type { MailPart } from '../mail-part.ts';
import type { MailDetector, MailEnrichment } from '../mail-state.ts';
import {
  authenticateMail,
  DMARC_POLICIES,
  type MailAuthResult,
  mailAuthResultSchema,
  type Policy,
} from './authenticate.ts';

/** The enrichment's name (detectors `need` it). */
export const MAIL_AUTH = 'mail.auth';
/** Its time budget: SPF may take ten lookups in a row, DKIM and DMARC a few more. */
export const MAIL_AUTH_BUDGET_MS = 3000;

const t = (ja: string, en: string) => ({ ja, en });

/**
 * Weights against the default policy (warn 4, hold 8, block 40): a pass lowers the score a
 * little (an attacker's own domain passes too); a failure adds a little, a DMARC failure of a
 * domain that publishes p=none adds more (its From was not the sender's); temperrors add
 * nothing (E4). The sender's p=reject and p=quarantine force block and hold by their
 * declarations (`forceAction`); a policy may change both.
 */
export const AUTH_SIGNALS = defineSignals([
  {
    name: 'MAIL_DMARC_REJECT',
    group: 'auth',
    weight: 10,
    forceAction: 'block',
    description: t(
      'DMARC 認証に失敗し、送信ドメインのポリシーが拒否（p=reject）',
      'DMARC failed and the sender domain’s policy is reject',
    ),
    reason: t(
      '送信者ドメイン {domain} の DMARC 認証に失敗しました（{policyDomain} の DMARC ポリシー: {published}{testing}）。受信を拒否します',
      'DMARC failed for the sender domain {domain} ({policyDomain} DMARC policy: {published}{testing}); the mail is rejected',
    ),
    customer: t(
      '送信元ドメイン {domain} を名乗っていますが、そのドメインから送られたことを確認できません（なりすましの可能性）',
      'The mail claims to come from {domain}, but that domain did not send it (possible spoofing)',
    ),
  },
  {
    name: 'MAIL_DMARC_QUARANTINE',
    group: 'auth',
    weight: 8,
    forceAction: 'hold',
    description: t(
      'DMARC 認証に失敗し、送信ドメインのポリシーが隔離（p=quarantine）',
      'DMARC failed and the sender domain’s policy is quarantine',
    ),
    reason: t(
      '送信者ドメイン {domain} の DMARC 認証に失敗しました（{policyDomain} の DMARC ポリシー: {published}{testing}）。隔離します',
      'DMARC failed for the sender domain {domain} ({policyDomain} DMARC policy: {published}{testing}); the mail is quarantined',
    ),
    customer: t(
      '送信元ドメイン {domain} から送られたことを確認できないため隔離しました',
      'Quarantined: the mail could not be confirmed as sent by {domain}',
    ),
  },
  {
    name: 'MAIL_DMARC_OVERRIDDEN_ARC',
    group: 'auth',
    weight: 0,
    explainAlways: true,
    description: t(
      'DMARC 失敗だが、信頼する転送者（ARC）が転送前の認証成功を保証',
      'DMARC failed, but a trusted forwarder’s ARC chain says it passed before forwarding',
    ),
    reason: t(
      '送信者ドメイン {domain} の DMARC は失敗しましたが（ポリシー {policy}）、信頼する転送者 {sealer} の ARC 署名が転送前の DMARC 成功を示すため、ポリシーを適用しません',
      'DMARC failed for {domain} (policy {policy}), but the ARC chain sealed by the trusted forwarder {sealer} says DMARC passed before forwarding: the policy is not applied',
    ),
  },
  {
    name: 'MAIL_DMARC_OVERRIDDEN_LOCAL',
    group: 'auth',
    weight: 0,
    explainAlways: true,
    description: t(
      'DMARC ポリシーを組織の設定（ローカル例外）で変更',
      'The DMARC policy was changed by the organisation’s local override',
    ),
    reason: t(
      '送信者ドメイン {domain} の DMARC は失敗しましたが（ポリシー {policy}）、組織の設定（{override}: {action}）により {action} として扱います',
      'DMARC failed for {domain} (policy {policy}); the organisation’s override ({override}: {action}) applies {action} instead',
    ),
  },
  {
    name: 'MAIL_DMARC_FAIL_NONE',
    group: 'auth',
    weight: 2,
    description: t(
      'DMARC 認証に失敗（送信ドメインは監視のみ: p=none または t=y）',
      'DMARC failed (the sender domain only monitors: p=none or t=y)',
    ),
    reason: t(
      '送信者ドメイン {domain} の DMARC 認証に失敗しました（ポリシー {policy}、強制なし）',
      'DMARC failed for the sender domain {domain} (policy {policy}, not enforced)',
    ),
  },
  {
    name: 'MAIL_DMARC_PASS',
    group: 'auth',
    weight: -0.5,
    description: t('DMARC 認証に成功', 'DMARC passed'),
    reason: t(
      '送信者ドメイン {domain} の DMARC 認証に成功しました',
      'DMARC passed for the sender domain {domain}',
    ),
  },
  {
    name: 'MAIL_DMARC_NONE',
    group: 'auth',
    weight: 0.2,
    description: t('送信者ドメインに DMARC ポリシーがない', 'The sender domain publishes no DMARC policy'),
    reason: t(
      '送信者ドメイン {domain} には DMARC ポリシーがありません',
      'The sender domain {domain} has no DMARC policy',
    ),
  },
  {
    name: 'MAIL_DMARC_PERMERROR',
    group: 'auth',
    weight: 3,
    description: t(
      'DMARC を評価できない From（送信者ドメインがない、または複数）',
      'DMARC cannot be evaluated: the From header has no domain or several (RFC 9989 5.3.1)',
    ),
    reason: t(
      'From ヘッダーから送信者ドメインを一つに決められません（{reason}）',
      'The From header does not give one sender domain ({reason})',
    ),
  },
  {
    name: 'MAIL_DMARC_TEMPERROR',
    group: 'auth',
    weight: 0,
    description: t('DMARC の確認中に DNS の一時エラー', 'A temporary DNS error while checking DMARC'),
    reason: t(
      '送信者ドメイン {domain} の DMARC を DNS の一時エラーで確認できませんでした',
      'DMARC of the sender domain {domain} could not be checked (temporary DNS error)',
    ),
  },
  {
    name: 'MAIL_SPF_PASS',
    group: 'auth',
    weight: -0.3,
    description: t('SPF 認証に成功', 'SPF passed'),
    reason: t(
      '送信サーバー {ip} は {domain} の SPF で許可されています',
      'The server {ip} is allowed by the SPF of {domain}',
    ),
  },
  {
    name: 'MAIL_SPF_FAIL',
    group: 'auth',
    weight: 1.5,
    description: t(
      'SPF 認証に失敗（送信サーバーが許可されていない）',
      'SPF failed: the server is not allowed to send',
    ),
    reason: t(
      '送信サーバー {ip} は {domain} の SPF で許可されていません',
      'The server {ip} is not allowed by the SPF of {domain}',
    ),
  },
  {
    name: 'MAIL_SPF_SOFTFAIL',
    group: 'auth',
    weight: 0.5,
    description: t('SPF ソフトフェイル（~all）', 'SPF softfail (~all)'),
    reason: t(
      '送信サーバー {ip} は {domain} の SPF で許可されていない可能性があります（softfail）',
      'The server {ip} is probably not allowed by the SPF of {domain} (softfail)',
    ),
  },
  {
    name: 'MAIL_SPF_NEUTRAL',
    group: 'auth',
    weight: 0.2,
    description: t('SPF neutral（送信ドメインが判断しない）', 'SPF neutral: the domain makes no assertion'),
  },
  {
    name: 'MAIL_SPF_NONE',
    group: 'auth',
    weight: 0.5,
    description: t('送信ドメインに SPF レコードがない', 'The sending domain publishes no SPF record'),
    reason: t('{domain} には SPF レコードがありません', '{domain} publishes no SPF record'),
  },
  {
    name: 'MAIL_SPF_TEMPERROR',
    group: 'auth',
    weight: 0,
    description: t('SPF の確認中に DNS の一時エラー', 'A temporary DNS error while checking SPF'),
  },
  {
    name: 'MAIL_SPF_PERMERROR',
    group: 'auth',
    weight: 0.5,
    description: t('SPF レコードの誤り（permerror）', 'The SPF record is broken (permerror)'),
    reason: t('{domain} の SPF レコードを解釈できません', 'The SPF record of {domain} cannot be evaluated'),
  },
  {
    name: 'MAIL_DKIM_PASS',
    group: 'auth',
    weight: -0.3,
    description: t('DKIM 署名の検証に成功', 'A DKIM signature verified'),
    reason: t(
      '{domain}（セレクター {selector}）の DKIM 署名を確認しました',
      'DKIM signature of {domain} (selector {selector}) verified',
    ),
  },
  {
    name: 'MAIL_DKIM_FAIL',
    group: 'auth',
    weight: 1,
    description: t(
      'DKIM 署名の検証に失敗（改ざんまたは偽造）',
      'A DKIM signature failed (altered or forged)',
    ),
    reason: t(
      '{domain}（セレクター {selector}）の DKIM 署名が一致しません（{result}）',
      'The DKIM signature of {domain} (selector {selector}) does not verify ({result})',
    ),
  },
  {
    name: 'MAIL_DKIM_NONE',
    group: 'auth',
    weight: 0.3,
    description: t('DKIM 署名がない', 'The mail has no DKIM signature'),
  },
  {
    name: 'MAIL_DKIM_TEMPERROR',
    group: 'auth',
    weight: 0,
    description: t(
      'DKIM 公開鍵の取得中に DNS の一時エラー',
      'A temporary DNS error while fetching a DKIM key',
    ),
  },
  {
    name: 'MAIL_DKIM_PERMERROR',
    group: 'auth',
    weight: 0.5,
    description: t(
      'DKIM 署名または公開鍵の誤り（検証できない）',
      'A DKIM signature or its key is broken (cannot be verified)',
    ),
    reason: t(
      '{domain}（セレクター {selector}）の DKIM 署名を検証できません（{result}）',
      'The DKIM signature of {domain} (selector {selector}) cannot be verified ({result})',
    ),
  },
  {
    name: 'MAIL_ARC_PASS',
    group: 'auth',
    weight: 0,
    description: t(
      'ARC チェーンの検証に成功（転送経路の認証）',
      'The ARC chain verified (authenticated forwarding)',
    ),
  },
  {
    name: 'MAIL_ARC_FAIL',
    group: 'auth',
    weight: 0.5,
    description: t('ARC チェーンの検証に失敗', 'The ARC chain failed to verify'),
  },
  {
    name: 'MAIL_BIMI_VALID',
    group: 'auth',
    weight: -0.5,
    description: t(
      'BIMI ロゴを表示できる送信者（DMARC 成功かつ強制ポリシー）',
      'A BIMI logo may be shown: DMARC passed under an enforcing policy',
    ),
    reason: t('{domain} の BIMI ロゴ（{location}）', 'BIMI logo of {domain} ({location})'),
  },
]);

/** The authentication settings of a mail policy (`settings.auth`). */
export interface AuthSettings {
  /** ARC sealers (domains) whose chain may vouch that DMARC passed upstream: mailing lists, forwarders. */
  readonly trustedArcSealers: readonly string[];
  /** Sender domain (or a parent of it) → the action to take on a DMARC failure instead of its policy. */
  readonly dmarcOverrides: Readonly<Record<string, Policy>>;
}

/** No sealer is trusted by default: an organisation names the lists and forwarders it trusts. */
export const DEFAULT_AUTH_SETTINGS: AuthSettings = Object.freeze({
  trustedArcSealers: Object.freeze([]) as readonly string[],
  dmarcOverrides: Object.freeze({}),
});

const DOMAIN_MESSAGE = 'must be a domain name (a.example)';
/** Labels joined by single dots, an optional final dot; no nested ambiguity (no catastrophic backtracking). */
const DOMAIN =
  /^[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const domain = z
  .string()
  .max(254)
  .refine((d) => d.length <= 254 && DOMAIN.test(d), DOMAIN_MESSAGE);
const authSettingsSchema = z
  .object({
    trustedArcSealers: z.array(domain).max(1000),
    dmarcOverrides: z.record(domain, z.enum(DMARC_POLICIES)).refine((r) => Object.keys(r).length <= 10_000, {
      message: 'at most 10000 domains',
    }),
  })
  .partial()
  .strict();

const normalise = (d: string): string => d.toLowerCase().replace(/\.$/, '');
const cache = new WeakMap<object, AuthSettings>();

/** The auth settings of a screening's merged settings; a bad or missing key takes its default. */
export function readAuthSettings(settings: Readonly<Record<string, unknown>>): AuthSettings {
  const given = settings.auth;
  if (typeof given !== 'object' || given === null) return DEFAULT_AUTH_SETTINGS;
  const known = cache.get(given);
  if (known) return known;
  const g = given as Record<string, unknown>;
  const sealers = z.array(domain).safeParse(g.trustedArcSealers);
  const overrides = z.record(domain, z.enum(DMARC_POLICIES)).safeParse(g.dmarcOverrides);
  const read: AuthSettings = Object.freeze({
    trustedArcSealers: sealers.success
      ? sealers.data.map(normalise)
      : DEFAULT_AUTH_SETTINGS.trustedArcSealers,
    dmarcOverrides: overrides.success
      ? Object.fromEntries(Object.entries(overrides.data).map(([k, v]) => [normalise(k), v]))
      : DEFAULT_AUTH_SETTINGS.dmarcOverrides,
  });
  cache.set(given, read);
  return read;
}

/** What is wrong with `settings.auth` of a mail policy (paths start with `settings.auth`). */
export function authSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  if (settings.auth === undefined) return [];
  const parsed = authSettingsSchema.safeParse(settings.auth);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => {
    const issue: FieldIssue = {
      path: ['settings', 'auth', ...i.path.map(String)].join('.'),
      message: i.message,
    };
    const ja = AUTH_MESSAGES_JA[i.message];
    return ja ? { ...issue, ja } : issue;
  });
}

export const AUTH_MESSAGES_JA: Readonly<Record<string, string>> = {
  [DOMAIN_MESSAGE]: 'ドメイン名で指定してください（a.example）',
  'at most 10000 domains': 'ドメインは 10000 件までです',
};

/** The override for a domain: its own entry, else the nearest parent's. */
export function overrideFor(
  overrides: Readonly<Record<string, Policy>>,
  domains: readonly (string | null)[],
): { domain: string; action: Policy } | undefined {
  for (const d of domains) {
    if (!d) continue;
    const labels = d.split('.');
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).join('.');
      const action = overrides[key];
      if (action) return { domain: key, action };
    }
  }
  return undefined;
}

const s = (value: string | null | undefined): string => value ?? '';

/** The DMARC hits: the result, the policy to enforce, and what relaxed it. */
export function dmarcHits(auth: MailAuthResult, settings: AuthSettings): Hit[] {
  const d = auth.dmarc;
  const base = {
    result: d.result,
    domain: s(d.fromDomain),
    policyDomain: s(d.policyDomain),
    policy: s(d.policy),
    published: s(d.published),
    // t=y: the policy applied is one level below the published one (RFC 9989 4.7 "t")
    testing: d.t ? ' t=y' : '',
  };
  const evidence = [
    `dmarc=${d.result}`,
    ...(d.fromDomain ? [`header.from=${d.fromDomain}`] : []),
    ...(d.record ? [`record=${d.record}`] : []),
    ...(d.t ? ['t=y (testing)'] : []),
    ...(d.error ? [`error=${d.error}`] : []),
  ];
  switch (d.result) {
    case 'pass':
      return [{ signal: 'MAIL_DMARC_PASS', evidence, params: base }];
    case 'temperror':
      return [{ signal: 'MAIL_DMARC_TEMPERROR', evidence, params: base }];
    case 'none':
      return d.skipReason
        ? [
            {
              signal: 'MAIL_DMARC_PERMERROR',
              evidence: [...evidence, `reason=${d.skipReason}`],
              params: { ...base, result: 'permerror', reason: d.skipReason },
            },
          ]
        : [{ signal: 'MAIL_DMARC_NONE', evidence, params: base }];
    case 'fail':
      break;
  }
  const policy = d.policy ?? 'none';
  const local = overrideFor(settings.dmarcOverrides, [d.fromDomain, d.orgDomain]);
  const hits: Hit[] = [];
  let action: Policy = policy;
  if (local && local.action !== policy) {
    action = local.action;
    hits.push({
      signal: 'MAIL_DMARC_OVERRIDDEN_LOCAL',
      evidence: [...evidence, `settings.auth.dmarcOverrides.${local.domain}=${local.action}`],
      params: { ...base, override: local.domain, action: local.action },
    });
  } else if (policy !== 'none' && auth.arc.vouchedBy) {
    action = 'none';
    hits.push({
      signal: 'MAIL_DMARC_OVERRIDDEN_ARC',
      evidence: [
        ...evidence,
        `arc=pass i=${auth.arc.instance} sealer=${auth.arc.vouchedBy}`,
        `upstream dmarc=${s(auth.arc.upstream?.dmarc)} by ${s(auth.arc.upstream?.authServId)}`,
      ],
      params: { ...base, sealer: auth.arc.vouchedBy, action: 'none' },
    });
  }
  const signal =
    action === 'reject' ? 'MAIL_DMARC_REJECT' : action === 'quarantine' ? 'MAIL_DMARC_QUARANTINE' : undefined;
  if (signal) hits.unshift({ signal, evidence, params: { ...base, action } });
  else if (hits.length === 0) hits.push({ signal: 'MAIL_DMARC_FAIL_NONE', evidence, params: base });
  return hits;
}

const SPF_SIGNAL: Record<string, string> = {
  pass: 'MAIL_SPF_PASS',
  fail: 'MAIL_SPF_FAIL',
  softfail: 'MAIL_SPF_SOFTFAIL',
  neutral: 'MAIL_SPF_NEUTRAL',
  none: 'MAIL_SPF_NONE',
  temperror: 'MAIL_SPF_TEMPERROR',
  permerror: 'MAIL_SPF_PERMERROR',
  policy: 'MAIL_SPF_FAIL',
};

/** The SPF hit (one, whatever the result). */
export function spfHits(auth: MailAuthResult): Hit[] {
  const spf = auth.spf;
  const signal = SPF_SIGNAL[spf.result] ?? 'MAIL_SPF_NONE';
  return [
    {
      signal,
      evidence: [
        `spf=${spf.result}`,
        ...(spf.domain ? [`domain=${spf.domain}`] : []),
        ...(spf.clientIp ? [`ip=${spf.clientIp}`] : []),
        ...(spf.explanation ? [`exp=${JSON.stringify(spf.explanation.slice(0, 200))}`] : []),
      ],
      params: {
        result: spf.result,
        domain: s(spf.domain),
        mailFrom: s(spf.mailFrom),
        helo: s(spf.helo),
        ip: s(spf.clientIp),
      },
    },
  ];
}

const DKIM_SIGNAL: Record<string, string> = {
  pass: 'MAIL_DKIM_PASS',
  fail: 'MAIL_DKIM_FAIL',
  policy: 'MAIL_DKIM_FAIL',
  softfail: 'MAIL_DKIM_FAIL',
  neutral: 'MAIL_DKIM_PERMERROR',
  permerror: 'MAIL_DKIM_PERMERROR',
  temperror: 'MAIL_DKIM_TEMPERROR',
  none: 'MAIL_DKIM_NONE',
};
/** Signatures reported in hits and headers (more are in the evidence count only). */
const MAX_DKIM_HITS = 10;

/**
 * The DKIM hits: one per signature (at most ten), the representative one (a pass if any, else
 * the first) first and scored; the others at factor 0, there for the header only.
 */
export function dkimHits(auth: MailAuthResult): Hit[] {
  const sigs = auth.dkim.signatures;
  if (sigs.length === 0) {
    return [
      {
        signal: 'MAIL_DKIM_NONE',
        evidence: ['dkim=none'],
        params: { result: 'none', domain: '', selector: '' },
      },
    ];
  }
  const best = Math.max(
    0,
    sigs.findIndex((x) => x.result === 'pass'),
  );
  const order = [best, ...sigs.map((_, i) => i).filter((i) => i !== best)].slice(0, MAX_DKIM_HITS);
  return order.map((i, n) => {
    const sig = sigs[i] as MailAuthResult['dkim']['signatures'][number];
    return {
      signal: DKIM_SIGNAL[sig.result] ?? 'MAIL_DKIM_PERMERROR',
      ...(n === 0 ? {} : { factor: 0 }),
      evidence: [
        `dkim=${sig.result} d=${s(sig.domain)} s=${s(sig.selector)} a=${s(sig.algorithm)}${sig.aligned ? ' aligned' : ''}`,
        ...(sig.comment ? [sig.comment] : []),
        ...(n === 0 && sigs.length > 1 ? [`${sigs.length} signatures`] : []),
      ],
      params: {
        result: sig.result,
        domain: s(sig.domain),
        selector: s(sig.selector),
        algorithm: s(sig.algorithm),
        aligned: sig.aligned ? 'yes' : 'no',
      },
    };
  });
}

/** The ARC hit: pass or fail (no hit without a chain). */
export function arcHits(auth: MailAuthResult): Hit[] {
  const arc = auth.arc;
  if (arc.result === 'none') return [];
  return [
    {
      signal: arc.result === 'pass' ? 'MAIL_ARC_PASS' : 'MAIL_ARC_FAIL',
      evidence: [
        `arc=${arc.result} i=${arc.instance}`,
        ...(arc.sealers.length ? [`sealers=${arc.sealers.join(',')}`] : []),
        ...(arc.comment ? [arc.comment] : []),
      ],
      params: { result: arc.result, instance: arc.instance, sealers: arc.sealers.join(',') },
    },
  ];
}

/** The BIMI hit: only a valid record under a DMARC pass (the logo location for the UI). */
export function bimiHits(auth: MailAuthResult): Hit[] {
  const b = auth.bimi;
  if (b.result !== 'pass' || auth.dmarc.result !== 'pass' || !b.location) return [];
  return [
    {
      signal: 'MAIL_BIMI_VALID',
      evidence: [`bimi=pass header.d=${s(b.domain)} header.selector=${s(b.selector)}`, `l=${b.location}`],
      params: {
        result: 'pass',
        domain: s(b.domain),
        selector: s(b.selector),
        location: b.location,
        authority: s(b.authority),
      },
    },
  ];
}

function detector(
  name: string,
  signals: readonly string[],
  hits: (auth: MailAuthResult, settings: AuthSettings) => Hit[],
): MailDetector {
  return {
    name,
    stage: 'pre',
    signals,
    needs: [MAIL_AUTH],
    run: (_event, ctx) =>
      hits(ctx.enriched<MailAuthResult>({ name: MAIL_AUTH }), readAuthSettings(ctx.settings)),
  };
}

/** The authentication part of the mail channel (see the module comment). */
export function authPart(_deps: ChannelDeps, options: MailChannelOptions): MailPart {
  const parts: MailPart = {
    signals: AUTH_SIGNALS,
    defaultSettings: { auth: DEFAULT_AUTH_SETTINGS },
    settingsIssues: authSettingsIssues,
    messagesJa: AUTH_MESSAGES_JA,
  };
  if (options.dns === 'off') return parts;
  const resolver = options.dns ?? createDnsResolver();
  const authServId = options.authServId ?? hostname();
  const enrichment: MailEnrichment<MailAuthResult> = {
    name: MAIL_AUTH,
    budgetMs: MAIL_AUTH_BUDGET_MS,
    output: mailAuthResultSchema,
    run: (screening) =>
      authenticateMail({
        bytes: screening.state.bytes,
        envelope: screening.event.payload.envelope,
        resolver,
        authServId,
        now: screening.now,
        trustedArcSealers: readAuthSettings(screening.settings).trustedArcSealers,
      }),
  };
  const names = (prefix: string) => AUTH_SIGNALS.map((x) => x.name).filter((n) => n.startsWith(prefix));
  return {
    ...parts,
    enrichments: [enrichment],
    detectors: [
      detector('mail.auth.spf', names('MAIL_SPF_'), spfHits),
      detector('mail.auth.dkim', names('MAIL_DKIM_'), dkimHits),
      detector('mail.auth.dmarc', names('MAIL_DMARC_'), dmarcHits),
      detector('mail.auth.arc', names('MAIL_ARC_'), arcHits),
      detector('mail.auth.bimi', names('MAIL_BIMI_'), bimiHits),
    ],
  };
}
