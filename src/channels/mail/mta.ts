/**
 * The mail channel at the MTA (measures E1–E4, issue 11 item 3): what the milter server hands
 * over (envelope, headers, body) becomes a mail payload, and the verdict on it becomes the
 * milter's answer to Postfix.
 *
 * | verdict                     | milter answer                                                     |
 * | --------------------------- | ----------------------------------------------------------------- |
 * | allow                       | accept, with `Authentication-Results` and `X-Mamoru-Verdict`      |
 * |                             | (the sender's own `X-Mamoru-*` and our-id A-R headers deleted)   |
 * | warn                        | accept, the same headers and `X-Mamoru-Warning` (RFC 2047, ja/en) |
 * | step_up, review, hold       | discard (see below)                                               |
 * | block, freeze               | reject `550 5.7.1` with a reason the sender can act on            |
 * | any failure while deciding  | tempfail `451 4.7.1` (the sending MTA keeps the mail and retries) |
 *
 * Quarantine (E4, 誤遮断の防止): a held mail is already in Mamoru's own quarantine table when
 * `screen` returns — the mail channel's `record` hook writes it before the verdict is answered,
 * and a failing record fails the whole screening. The MTA is then told `discard`: it answers 250
 * to the sender and drops its copy, and Mamoru holds the only one, for the recipient or an
 * operator to release (re-injected by SMTP past the filter) or appeal. Because the record failing
 * makes `screen` throw, which answers 451, a mail is never accepted and then lost.
 *
 * Too large: a message over `MAX_MAIL_BYTES` (Postfix's own default `message_size_limit`, so
 * Postfix normally refuses it first) is accepted unscanned with `X-Mamoru-Verdict: unscanned`.
 * Not tempfail: the sender's MTA would retry it for days and then bounce it, a delayed 誤遮断 of
 * a mail that may well be real; not reject, for the same reason. rspamd does the same past its
 * `max_message` size. Keep Postfix's `message_size_limit` at or below `MAX_MAIL_BYTES`.
 *
 * Libraries: RFC 2047 encoded-words come from nodemailer's `mime-funcs`; the header values
 * built here are only folded at spaces (a few lines, no library needed). The milter codec and
 * server are ours (`milter/README.md`: no maintained Node milter library exists).
 */
import { isIP } from 'node:net';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import type { Verdict } from '../../core/index.ts';
import { authenticationResultsHeader } from './auth/authentication-results.ts';
import { envelopeSchema, MAX_MAIL_BYTES, MAX_RECIPIENTS, type MailPayload } from './mail-schema.ts';
import {
  type AddedHeader,
  type ChangedHeader,
  createMilterServer,
  INTERNAL_TEMPFAIL_TEXT,
  type MilterDecision,
  type MilterEnvelope,
  type MilterHeader,
  type MilterLogger,
  type MilterMessage,
  type MilterServer,
} from './milter/server.ts';
import { QUARANTINED_ACTIONS } from './quarantine.ts';

/** The text of the 451 answered when the verdict could not be made (or the quarantine written): the server's own. */
export const MTA_TEMPFAIL_TEXT = INTERNAL_TEMPFAIL_TEXT;

/** The longest reject text we send (libmilter's `MAXREPLYLEN` is 980 with the code). */
const MAX_REJECT_TEXT = 400;

const FIELD = envelopeSchema.shape;
const HOST_NAME = /^[A-Za-z0-9.-]{1,255}$/;

/** `<a@b>` → `a@b`; `<>` → `` (the null sender); anything else trimmed. */
function unbracket(address: string): string {
  const trimmed = address.trim();
  const m = /^<(.*)>$/s.exec(trimmed);
  return (m ? (m[1] ?? '') : trimmed).trim();
}

/** A field's value when the mail schema takes it, else undefined (a missing field is valid; a bad one is not). */
function valid<T>(
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
  value: unknown,
): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Thrown when the milter's message cannot be a mail payload (no usable recipient): the MTA is
 * answered 451, never an accept of an unscreened mail.
 */
export class MtaPayloadError extends Error {
  override readonly name = 'MtaPayloadError';
  readonly reason: 'too_large' | 'no_recipient';
  constructor(reason: 'too_large' | 'no_recipient', message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * How the milter server decoded command strings: `latin1` (what `startMailMilter` uses) keeps
 * every byte of a raw 8-bit header; `utf8` replaces bytes that are not UTF-8.
 */
export type MilterEncoding = 'utf8' | 'latin1';

/**
 * The message's bytes as the sender's MTA sent them: each header `Name:value\r\n` (the value
 * keeps its leading space, HDR_LEADSPC; folded lines end in CRLF), a blank line, the body.
 */
export function milterMessageBytes(message: MilterMessage, encoding: MilterEncoding = 'utf8'): Buffer {
  const head = message.headers.map((h) => `${h.name}:${h.value.replace(/\r?\n/g, '\r\n')}\r\n`).join('');
  return Buffer.concat([Buffer.from(`${head}\r\n`, encoding), message.body]);
}

/** An envelope string as UTF-8 text, whichever way the server decoded it. */
const text = (value: string | undefined, encoding: MilterEncoding): string | undefined =>
  value === undefined || encoding === 'utf8' ? value : Buffer.from(value, 'latin1').toString('utf8');

/**
 * The mail payload for what the milter received: `rawBase64` of the exact message bytes — each
 * header as received (`Name:value\r\n`, the value keeps its leading space; folded lines get
 * CRLF), a blank line, the body as the MTA sent it — and the SMTP envelope (client IP, its
 * resolved name, HELO, MAIL FROM and RCPT TO without angle brackets). Envelope fields the mail
 * schema would refuse (a client of unknown address, an empty HELO) are left out, as an MTA
 * that did not see them would; `mta` is the MTA's own name (the `j` macro) or `mta`.
 *
 * @throws MtaPayloadError when no recipient is usable, or the message is over `MAX_MAIL_BYTES`.
 * @example const payload = milterMessageToPayload(envelope, message, 'mx.example.jp');
 */
export function milterMessageToPayload(
  envelope: MilterEnvelope,
  message: MilterMessage,
  mta?: string,
  options: { readonly now?: Date; readonly encoding?: MilterEncoding } = {},
): MailPayload {
  const encoding = options.encoding ?? 'utf8';
  const now = options.now ?? new Date();
  const bytes = milterMessageBytes(message, encoding);
  if (bytes.length > MAX_MAIL_BYTES)
    throw new MtaPayloadError('too_large', `message of ${bytes.length} bytes, over ${MAX_MAIL_BYTES}`);
  const rcptTo: string[] = [];
  for (const r of envelope.recipients) {
    const address = valid<string>(FIELD.rcptTo.element, unbracket(text(r.address, encoding) ?? ''));
    if (address !== undefined && rcptTo.length < MAX_RECIPIENTS) rcptTo.push(address);
  }
  if (rcptTo.length === 0)
    throw new MtaPayloadError('no_recipient', 'no usable recipient in the milter envelope');
  const client = envelope.client;
  const clientIp = client && client.family !== 'unknown' && isIP(client.address) ? client.address : undefined;
  const clientHostname = text(client?.hostname, encoding);
  // Postfix names a client without reverse DNS `unknown`, Sendmail `[address]`: neither is a name.
  const named =
    clientHostname !== undefined && clientHostname !== 'unknown' && !clientHostname.startsWith('[');
  const mtaName = [envelope.macros.j, mta].find((n) => n !== undefined && HOST_NAME.test(n));
  const sender = text(envelope.sender, encoding);
  const env = {
    ...(clientIp !== undefined ? { clientIp: valid<string>(FIELD.clientIp, clientIp) } : {}),
    ...(named ? { clientHostname: valid<string>(FIELD.clientHostname, clientHostname) } : {}),
    helo: valid<string>(FIELD.helo, text(envelope.helo, encoding)),
    mailFrom: sender === undefined ? undefined : valid<string>(FIELD.mailFrom, unbracket(sender)),
    rcptTo,
  };
  return {
    rawBase64: bytes.toString('base64'),
    envelope: Object.fromEntries(
      Object.entries(env).filter(([, v]) => v !== undefined),
    ) as MailPayload['envelope'],
    ...(mtaName ? { mta: mtaName } : {}),
    receivedAt: now.toISOString(),
  };
}

/** Printable ASCII only, on one line: what an SMTP reply (and a plain header) may carry. */
function ascii(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A header value folded before `max` columns at spaces, with LF (Postfix takes `\n` + space in milter headers). */
function fold(value: string, max = 76): string {
  const lines: string[] = [];
  let line = '';
  for (const word of value.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n ');
}

/** RFC 2047 `B` encoded-words of UTF-8 text, one per folded line. */
function encodedWords(text: string): string {
  return encodeWord(text, 'B', 52).split(' ').join('\n ');
}

/**
 * The reason a sender can act on, in English and ASCII, with the decision's id for the
 * recipient's postmaster: the signal that forced the rejection when one did (the sender's DMARC
 * p=reject: the one reason that counts), else up to three reasons that raised the score — a
 * reason's customer text where its signal declares one. Never the score or the thresholds.
 */
export function rejectText(verdict: Verdict): string {
  const forcedBy = verdict.forced?.kind === 'signal' ? verdict.forced.by : undefined;
  const raising = new Set(
    verdict.hits.filter((h) => (forcedBy ? h.signal === forcedBy : h.score > 0)).map((h) => h.signal),
  );
  const parts: string[] = [];
  for (const r of verdict.reasons) {
    if (!raising.has(r.signal) || parts.length === 3) continue;
    const text = ascii(r.customer?.en ?? r.en).replace(/\.$/, '');
    if (text && !parts.includes(text)) parts.push(text);
  }
  const ref = ` (ref ${ascii(verdict.id)})`;
  let because = parts.join('; ');
  const room = MAX_REJECT_TEXT - 'Message rejected: '.length - ref.length;
  if (because.length > room) because = `${because.slice(0, room - 3).trimEnd()}...`;
  return `Message rejected: ${because || 'it matched the recipient domain policy'}${ref}`;
}

/** `X-Mamoru-Verdict` and `Authentication-Results`, the headers every delivered mail gets. */
function deliveryHeaders(verdict: Verdict, authServId: string): AddedHeader[] {
  return [
    {
      name: 'Authentication-Results',
      value: authenticationResultsHeader(verdict, authServId).replace(/\r\n/g, '\n'),
    },
    {
      name: 'X-Mamoru-Verdict',
      value: `${verdict.action}; score=${verdict.score}; decision=${ascii(verdict.id)}`,
    },
  ];
}

/**
 * The milter's answer to a verdict (see the table at the top of this module). Never throws: a
 * verdict it cannot map is a 451.
 *
 * @example verdictToMilter(verdict, 'mx.example.jp') // { kind: 'reject', code: '550', ext: '5.7.1', text: '…' }
 */
export function verdictToMilter(verdict: Verdict, authServId: string): MilterDecision {
  try {
    const action = verdict.action;
    if (action === 'allow') return { kind: 'accept', addHeaders: deliveryHeaders(verdict, authServId) };
    if (action === 'warn')
      return {
        kind: 'accept',
        addHeaders: [
          ...deliveryHeaders(verdict, authServId),
          {
            name: 'X-Mamoru-Warning',
            value: `${encodedWords(verdict.summary.ja)}\n ${fold(`/ ${ascii(verdict.summary.en)}`)}`,
          },
        ],
      };
    // Mamoru's quarantine holds the only copy (written before `screen` returned); the MTA drops its own.
    // The same set as the quarantine part records: discarding anything it does not keep would lose the mail.
    if (QUARANTINED_ACTIONS.has(action)) return { kind: 'discard' };
    if (action === 'block' || action === 'freeze')
      return { kind: 'reject', code: '550', ext: '5.7.1', text: rejectText(verdict) };
    return { kind: 'tempfail', text: MTA_TEMPFAIL_TEXT };
  } catch {
    return { kind: 'tempfail', text: MTA_TEMPFAIL_TEXT };
  }
}

/**
 * The headers of a received message to delete before delivery, so that no sender can pass off
 * its own results as ours: every `X-Mamoru-*` header, and each `Authentication-Results` whose
 * authserv-id is ours (RFC 8601 section 5: an MTA removes those it did not add). Indices are
 * per name, 1-based, as the milter protocol counts them.
 */
export function forgedHeaders(headers: readonly MilterHeader[], authServId: string): ChangedHeader[] {
  const seen = new Map<string, number>();
  const ours = authServId.toLowerCase();
  const out: ChangedHeader[] = [];
  for (const h of headers) {
    const key = h.name.toLowerCase();
    const index = (seen.get(key) ?? 0) + 1;
    seen.set(key, index);
    const forged =
      key.startsWith('x-mamoru-') ||
      (key === 'authentication-results' &&
        // authserv-id, optionally followed by a version and comments, up to the first ';'.
        (/^\s*([^\s;(]+)/.exec(h.value)?.[1] ?? '').toLowerCase() === ours);
    if (forged) out.push({ name: h.name, index, value: '' });
  }
  return out;
}

/** The answer to a message too large to screen: delivered unscanned, and marked so. */
export const UNSCANNED_DECISION: Extract<MilterDecision, { kind: 'accept' }> = {
  kind: 'accept',
  addHeaders: [{ name: 'X-Mamoru-Verdict', value: 'unscanned; reason=too-large' }],
};

export interface MailMilterOptions {
  /** Screens one mail payload: `mamoru.screen(principal, 'mail', payload)`. */
  readonly screen: (payload: MailPayload) => Promise<Verdict>;
  /** The authserv-id of the `Authentication-Results` added (this MTA's host name). */
  readonly authServId: string;
  /** The MTA's name when it sends no `j` macro (origin `mta:<name>`). */
  readonly mta?: string;
  readonly logger?: MilterLogger;
  /** How the milter server decodes strings (default `utf8`; `startMailMilter` uses `latin1`). */
  readonly encoding?: MilterEncoding;
}

/**
 * The milter server's `onMessage`: payload → screen → decision. Never throws: any failure (a
 * message that is no payload, the store down, the quarantine not written) is a 451 4.7.1, and
 * the sending MTA keeps the mail.
 */
export function mailMilterHandler(
  options: MailMilterOptions,
): (envelope: MilterEnvelope, message: MilterMessage) => Promise<MilterDecision> {
  const unscanned = (message: MilterMessage): MilterDecision => {
    options.logger?.warn(
      { bodyBytes: message.bodyBytes, limit: MAX_MAIL_BYTES },
      'milter: message too large to screen; delivered unscanned (X-Mamoru-Verdict: unscanned)',
    );
    // Unscanned, but still without the sender's own results passed off as ours.
    const forged = forgedHeaders(message.headers, options.authServId);
    return forged.length > 0 ? { ...UNSCANNED_DECISION, changeHeaders: forged } : UNSCANNED_DECISION;
  };
  return async (envelope, message) => {
    if (message.tooLarge) return unscanned(message);
    try {
      const payload = milterMessageToPayload(envelope, message, options.mta, {
        ...(options.encoding ? { encoding: options.encoding } : {}),
      });
      const verdict = await options.screen(payload);
      const decision = verdictToMilter(verdict, options.authServId);
      const forged = decision.kind === 'accept' ? forgedHeaders(message.headers, options.authServId) : [];
      return forged.length > 0 ? { ...decision, changeHeaders: forged } : decision;
    } catch (error) {
      if (error instanceof MtaPayloadError && error.reason === 'too_large') return unscanned(message);
      options.logger?.error(
        { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
        'milter: screening failed; answering 451 4.7.1',
      );
      return { kind: 'tempfail', text: MTA_TEMPFAIL_TEXT };
    }
  };
}

/**
 * `inet:127.0.0.1:11332` (Postfix's `smtpd_milters` form), `127.0.0.1:11332` or `[::1]:11332`
 * → host and port.
 *
 * @throws RangeError naming the expected form.
 */
export function parseMilterListen(value: string): { host: string; port: number } {
  const m = /^(?:inet6?:)?(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || !Number.isInteger(port) || port > 65535)
    throw new RangeError(
      `ミルターの待ち受けは inet:host:port の形で指定してください / the milter address must be inet:host:port (e.g. inet:127.0.0.1:11332), got ${JSON.stringify(value)}`,
    );
  return { host, port };
}

/** How long one verdict may take before the MTA is answered 451 (DNS checks have their own budgets). */
export const MILTER_VERDICT_TIMEOUT_MS = 60_000;

/**
 * Starts the milter server for the mail channel on `listen` (`inet:127.0.0.1:11332`); close it
 * with the API server.
 *
 * @example const milter = await startMailMilter({ listen: 'inet:127.0.0.1:11332', screen, authServId: 'mx.example.jp' });
 */
export async function startMailMilter(
  options: MailMilterOptions & { readonly listen: string; readonly timeoutMs?: number },
): Promise<MilterServer> {
  const { host, port } = parseMilterListen(options.listen);
  // Byte-exact headers: a DKIM signature covers a raw 8-bit Subject as it was sent.
  const encoding: MilterEncoding = options.encoding ?? 'latin1';
  return createMilterServer({
    host,
    port,
    encoding,
    // A body over the largest screened message is counted, not kept, and seen as `tooLarge`.
    maxMessageBytes: MAX_MAIL_BYTES,
    timeoutMs: options.timeoutMs ?? MILTER_VERDICT_TIMEOUT_MS,
    onMessage: mailMilterHandler({ ...options, encoding }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
