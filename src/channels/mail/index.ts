import { hostname } from 'node:os';
import type { ChannelModule, ChannelPlugin, SignalDeclaration } from '../../core/index.ts';
import { INTEL_SIGNALS, intelMatchDetectors } from '../../intel/index.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { authPart } from './auth/auth-part.ts';
import { attachmentsPart } from './detectors/attachments.ts';
import { linksPart } from './detectors/links.ts';
import { mailLureModelPart } from './detectors/lure-model.ts';
import { senderPart } from './detectors/sender.ts';
import { createDnsResolver, type DnsResolver } from './dns-resolver.ts';
import { extractMail } from './mail-extractor.ts';
import type { MailPart } from './mail-part.ts';
import { MAIL_SCHEMA_MESSAGES_JA, type MailPayload, mailSchema } from './mail-schema.ts';
import { beginMail, type MailState } from './mail-state.ts';
import { MAIL_MIGRATIONS } from './migrations/index.ts';
import { quarantinePart } from './quarantine.ts';
import { reputationPart } from './reputation.ts';

export { extractMail } from './mail-extractor.ts';
export { type MailDb, type MailPart, type MailScreening, mailDb } from './mail-part.ts';
export { MAX_MAIL_BYTES, type MailEnvelope, type MailPayload, mailBytes, mailSchema } from './mail-schema.ts';
export { beginMail, type MailDetector, type MailState } from './mail-state.ts';
export type { MilterServer } from './milter/server.ts';
export {
  mailMilterHandler,
  milterMessageToPayload,
  parseMilterListen,
  startMailMilter,
  verdictToMilter,
} from './mta.ts';

/**
 * How a mail channel is built beside its `ChannelDeps`: process-wide things
 * an organisation's policy cannot change (the DNS it asks, this MTA's name,
 * where released mail goes). `mailOptionsFromEnv` reads them for the server.
 */
export interface MailChannelOptions {
  /**
   * DNS for SPF, DKIM, DMARC, ARC and BIMI: a resolver (`createDnsResolver`),
   * or `'off'`: no authentication checks at all (an evaluation without DNS).
   * Default: a resolver on the system's name servers.
   */
  readonly dns?: Pick<DnsResolver, 'resolve'> | 'off';
  /** The authserv-id of the `Authentication-Results` headers added (this MTA's host name). */
  readonly authServId?: string;
  /** Where released mail is re-injected by SMTP (`smtp://host:port`): the next hop, past the filter. */
  readonly releaseSmtp?: string;
}

/**
 * The mail channel's options from the environment: `MAMORU_DNS_SERVERS`
 * (comma-separated `host[:port]`; default the system's), `MAMORU_MAIL_DNS=off`,
 * `MAMORU_MAIL_AUTHSERV_ID` (default the host name), `MAMORU_MAIL_RELEASE_SMTP`
 * (default `smtp://127.0.0.1:10026`, Postfix's re-injection listener).
 */
export function mailOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): MailChannelOptions {
  const servers = env.MAMORU_DNS_SERVERS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    dns:
      env.MAMORU_MAIL_DNS === 'off'
        ? 'off'
        : createDnsResolver(servers && servers.length > 0 ? { nameservers: servers } : {}),
    authServId: env.MAMORU_MAIL_AUTHSERV_ID || hostname(),
    releaseSmtp: env.MAMORU_MAIL_RELEASE_SMTP || 'smtp://127.0.0.1:10026',
  };
}

/** The default policy's thresholds: warn (delivered with warning headers), hold (quarantine), block (550). */
export const MAIL_THRESHOLDS = Object.freeze({ warn: 4, hold: 8, block: 40 });

/** The mail channel as the engine sees it. */
export type MailChannel = ChannelModule<MailPayload, MailState>;

const EXAMPLE: MailPayload = {
  raw: [
    'From: "Amazon.co.jp" <account-update@amazon-co-jp.account-verify.example>',
    'To: user@example.jp',
    'Subject: =?UTF-8?B?44CQ6YeN6KaB44CR44Ki44Kr44Km44Oz44OI44GM5YGc5q2i44GV44KM44G+44GX44Gf?=',
    'Date: Thu, 15 Jan 2026 09:30:00 +0900',
    'Message-ID: <example-1@amazon-co-jp.account-verify.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'お客様のアカウントが停止されました。24時間以内に下記より確認してください。',
    'https://amazon-co-jp.account-verify.example/login',
    '',
  ].join('\r\n'),
  envelope: {
    clientIp: '203.0.113.7',
    helo: 'mail.account-verify.example',
    mailFrom: 'bounce@account-verify.example',
    rcptTo: ['user@example.jp'],
  },
};

/**
 * The parts of the mail channel, each in its own file: authentication
 * (SPF, DKIM, DMARC, ARC, BIMI), the content model, links, the sender's
 * brand and Reply-To, attachments, sender reputation, and the quarantine
 * with the recipients' strength (E4).
 */
export function mailParts(deps: ChannelDeps, options: MailChannelOptions = {}): MailPart[] {
  return [
    authPart(deps, options),
    mailLureModelPart(),
    linksPart(),
    senderPart(),
    attachmentsPart(),
    reputationPart(deps),
    quarantinePart(deps, options),
  ];
}

/** The one part that gives a hook, if any (two parts giving the same hook is a bug). */
function onlyHook<K extends 'thresholds' | 'notices' | 'onOutcome' | 'caseDetails'>(
  parts: readonly MailPart[],
  key: K,
): MailPart[K] {
  const giving = parts.filter((p) => p[key] !== undefined);
  if (giving.length > 1) throw new Error(`mail channel: ${giving.length} parts give the ${key} hook`);
  return giving[0]?.[key];
}

/**
 * The mail channel (measures E1–E4): inbound mail screened at the MTA
 * (a milter for Postfix, `POST /v1/screen/mail`, `mamoru mail scan`).
 * Authenticates the sender with mailauth through Mamoru's DNS resolver and
 * acts on the sender's DMARC policy (E2), reads the content with the
 * Japanese and English model, the links, the attachments and the sender's
 * brand and reputation (E1, E3), and keeps what it quarantines for the
 * recipient to release or appeal (E4).
 *
 * @example const mail = createMailChannel({ db: store.db, hasher, decisions: store.decisions, intel });
 */
export function createMailChannel(deps: ChannelDeps, options: MailChannelOptions = {}): MailChannel {
  const parts = mailParts(deps, options);
  const signals: SignalDeclaration[] = [...INTEL_SIGNALS];
  for (const p of parts) signals.push(...(p.signals ?? []));
  const recorders = parts.flatMap((p) => (p.record ? [p.record] : []));
  const messagesJa = Object.assign({ ...MAIL_SCHEMA_MESSAGES_JA }, ...parts.map((p) => p.messagesJa ?? {}));
  const defaultSettings: Record<string, unknown> = {};
  for (const p of parts) {
    for (const [key, value] of Object.entries(p.defaultSettings ?? {})) {
      if (Object.hasOwn(defaultSettings, key)) throw new Error(`mail channel: two parts set settings.${key}`);
      defaultSettings[key] = value;
    }
  }
  const issueCheckers = parts.flatMap((p) => (p.settingsIssues ? [p.settingsIssues] : []));
  const thresholds = onlyHook(parts, 'thresholds');
  const notices = onlyHook(parts, 'notices');
  const onOutcome = onlyHook(parts, 'onOutcome');
  const caseDetails = onlyHook(parts, 'caseDetails');
  return {
    name: 'mail',
    title: { ja: 'メール（受信）', en: 'Mail (inbound)' },
    schema: mailSchema,
    signals,
    detectors: [...intelMatchDetectors<MailPayload, MailState>(), ...parts.flatMap((p) => p.detectors ?? [])],
    begin: beginMail,
    extract: extractMail,
    enrichments: parts.flatMap((p) => p.enrichments ?? []),
    defaultPolicy: {
      id: 'mail.default',
      channel: 'mail',
      description: 'メールの既定ポリシー / Default mail policy',
      // warn: delivered with a warning header; hold: quarantined; block: refused with 550 5.7.1.
      // Block sits far above hold: what the content, the links and the sender's name say puts a mail
      // in the quarantine, which its recipient can undo (E4); a refusal at SMTP time cannot be undone,
      // so it comes from the sender's own DMARC p=reject (MAIL_DMARC_REJECT forces it), a list entry,
      // or overwhelming evidence of several kinds.
      thresholds: MAIL_THRESHOLDS,
      // The links of one mail count at most 12: many bad links are one sign, not many.
      groups: { intel: { maxScore: 20 }, url: { maxScore: 12 } },
      // A mail cannot wait for a lookup that failed: the verdict stands on the checks that ran.
      signals: { POLICY_ENRICHMENT_FAILED: { forceAction: null } },
    },
    defaultSettings,
    settingsIssues: (settings) => issueCheckers.flatMap((check) => check(settings)),
    ...(thresholds ? { thresholds } : {}),
    ...(notices ? { notices } : {}),
    ...(onOutcome ? { onOutcome } : {}),
    ...(caseDetails ? { caseDetails } : {}),
    // The quarantine is the channel's own table (E4): a quarantined mail opens a case only when appealed.
    opensCase: () => false,
    origin: (payload) => (payload.mta ? `mta:${payload.mta.toLowerCase()}` : 'api'),
    originKinds: [
      { kind: 'mta', id: 'required' },
      { kind: 'api', id: 'none' },
    ],
    // The decision log keeps the envelope and the message's headers in summary, never its body or the
    // recipients' addresses in clear: the quarantine keeps the message itself.
    redact: (payload, _tools, screening) => redactMail(payload, screening.state),
    record: async (verdict, screening) => {
      for (const record of recorders) await record(verdict, screening);
    },
    operations: parts.flatMap((p) => p.operations ?? []),
    messagesJa,
    example: EXAMPLE,
  };
}

/** What the decision log keeps of a mail: envelope (recipients hashed by the quarantine part's key), headers in summary, size. */
function redactMail(payload: MailPayload, state: MailState): unknown {
  return {
    envelope: { ...payload.envelope, rcptTo: payload.envelope.rcptTo.length },
    ...(payload.mta ? { mta: payload.mta } : {}),
    ...(payload.receivedAt ? { receivedAt: payload.receivedAt } : {}),
    bytes: state.bytes.byteLength,
    from: state.from?.address ?? null,
    fromName: state.from?.name ?? null,
    replyTo: state.replyTo.map((r) => r.address),
    subject: state.subject,
    messageId: state.messageId ?? null,
    date: state.date ?? null,
    links: state.urls.slice(0, 50).map((u) => u.url),
    attachments: state.attachments.map((a) => ({ filename: a.filename, mimeType: a.mimeType, size: a.size })),
  };
}

/** The mail channel as the registry lists it: its tables' migrations, then the channel built on them. */
export const mailPlugin: ChannelPlugin<ChannelDeps> = {
  name: 'mail',
  migrations: MAIL_MIGRATIONS,
  create: (deps) => createMailChannel(deps, mailOptionsFromEnv()),
};
