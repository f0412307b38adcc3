import PostalMime, { type Address, addressParser, type Email, type Header } from 'postal-mime';
import type { Detector, Enrichment, ScreenEvent } from '../../core/index.ts';
import { type ExtractedUrl, extractUrls } from '../../intel/url-extract.ts';
import { type NormalisedText, normaliseText } from '../../ml/normalise-text.ts';
import { type HtmlReading, readHtml } from './mail-html.ts';
import { type MailPayload, mailBytes } from './mail-schema.ts';

/** A mailbox of a header (From, Reply-To, Sender), its domain lower-cased ('' when it has none). */
export interface MailAddress {
  readonly name: string;
  readonly address: string;
  readonly domain: string;
}

/** A link of the message: its target, and for an HTML link the text the reader sees. */
export interface MailLink {
  readonly url: ExtractedUrl;
  /** The anchor's visible text (HTML links only), whitespace collapsed, at most 500 characters. */
  readonly text?: string;
  readonly source: 'html' | 'text';
}

/** An attachment (or an inline part that is not the body): what the attachment checks read. */
export interface MailAttachment {
  readonly filename: string | null;
  readonly mimeType: string;
  readonly disposition: string | null;
  readonly size: number;
  readonly content: Uint8Array;
}

/** The most characters of body text the models and URL extraction read (a long newsletter's opening carries the lure). */
export const MAX_MAIL_TEXT = 200_000;
/**
 * The most characters of body text normalised for the content model: it reads the first 4,000
 * normalised characters (`MAIL_WINDOW`), and normalising is local (a placeholder never spans more
 * than a URL), so the rest of a long newsletter would be work for nothing.
 */
export const MAX_NORMALISED_TEXT = 20_000;
/** postal-mime's limits: headers of one part, MIME nesting, parts (a hostile message cannot make the parser do unbounded work). */
export const PARSE_LIMITS = { maxHeadersSize: 1024 * 1024, maxNestingDepth: 64, maxPartCount: 2000 } as const;

/**
 * What the mail channel works out once per screening (`begin`), for every
 * detector and enrichment to read from `ctx.state`: the message's bytes,
 * its headers and addresses, its text (the plain part, or the HTML's text),
 * its links (HTML anchors with their visible text, then URLs in the text)
 * and its attachments. A message the parser cannot read fully is still
 * screened: what was read is kept and `problems` says what went wrong.
 */
export interface MailState {
  readonly bytes: Buffer;
  readonly headers: readonly Header[];
  /** The first From mailbox; undefined when there is none. */
  readonly from?: MailAddress;
  /** How many mailboxes the From headers name, all of them (RFC 5322: one, unless Sender is given). */
  readonly fromCount: number;
  readonly sender?: MailAddress;
  readonly replyTo: readonly MailAddress[];
  /** The envelope sender's domain (MAIL FROM, lower case); undefined for the null sender or none given. */
  readonly mailFromDomain?: string;
  readonly subject: string;
  readonly messageId?: string;
  readonly date?: string;
  /** Body text (at most {@link MAX_MAIL_TEXT} characters). */
  readonly text: string;
  readonly html?: string;
  /** Subject and the text's first {@link MAX_NORMALISED_TEXT} characters, normalised for the content model. */
  readonly normalised: NormalisedText;
  readonly links: readonly MailLink[];
  /** Every link's URL once (by canonical URL), HTML links first. */
  readonly urls: readonly ExtractedUrl[];
  readonly attachments: readonly MailAttachment[];
  /** What the parser could not read (an unterminated part, too many parts, a header too large…). */
  readonly problems: readonly string[];
}

/** A detector of the mail channel. */
export type MailDetector = Detector<MailPayload, MailState>;
/** An enrichment of the mail channel. */
export type MailEnrichment<T> = Enrichment<MailPayload, MailState, T>;

/** The domain of an address, lower case, without a trailing dot ('' for none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0
    ? ''
    : address
        .slice(at + 1)
        .trim()
        .toLowerCase()
        .replace(/\.$/, '');
}

function mailboxes(list: readonly Address[] | Address | undefined): MailAddress[] {
  if (!list) return [];
  const out: MailAddress[] = [];
  for (const a of Array.isArray(list) ? list : [list]) {
    for (const m of a.group ?? [a]) {
      if (typeof m.address !== 'string') continue;
      out.push({ name: m.name ?? '', address: m.address, domain: domainOf(m.address) });
    }
  }
  return out;
}

/**
 * The mailboxes of every From header: postal-mime's parsed `from` keeps only
 * the first mailbox of the first header, and a second mailbox or header is
 * how a message shows one sender to the reader and another to a filter.
 */
function countFromMailboxes(headers: readonly Header[], parsed: number): number {
  let n = 0;
  for (const h of headers) {
    if (h.key !== 'from') continue;
    try {
      for (const a of addressParser(h.value.slice(0, 10_000)))
        for (const m of a.group ?? [a]) if (typeof m.address === 'string' && m.address !== '') n++;
    } catch {
      n += 1;
    }
  }
  return Math.max(n, parsed);
}

function toBytes(content: Email['attachments'][number]['content']): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (content instanceof Uint8Array) return content;
  return new Uint8Array(content);
}

async function parse(bytes: Buffer, problems: string[]): Promise<Email> {
  try {
    return await PostalMime.parse(bytes, { ...PARSE_LIMITS, attachmentEncoding: 'arraybuffer' });
  } catch (error) {
    problems.push(`parse: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
    return { headers: [], headerLines: [], attachments: [] };
  }
}

/** The most HTML characters read (links and text): a hostile body is cut, a mail's lure is near its top. */
const MAX_HTML_READ = MAX_MAIL_TEXT * 5;

/**
 * The body text of a parsed mail: its text part, or for a mail sent as HTML
 * only (postal-mime gives no text then) the text its HTML shows; at most
 * {@link MAX_MAIL_TEXT} characters. What the content model reads, in the
 * channel and in training alike.
 */
export function mailBodyText(email: Pick<Email, 'text' | 'html'>, html?: HtmlReading): string {
  const text = email.text ?? '';
  if (text.trim() !== '' || !email.html) return text.slice(0, MAX_MAIL_TEXT);
  return (html ?? readHtml(email.html.slice(0, MAX_HTML_READ), MAX_MAIL_TEXT)).text;
}

/**
 * The per-screening state of a mail message: parsed once with postal-mime
 * (bounded by {@link PARSE_LIMITS}). Never throws for a malformed message.
 */
export async function beginMail(event: ScreenEvent<MailPayload>): Promise<MailState> {
  const { payload } = event;
  const bytes = mailBytes(payload);
  const problems: string[] = [];
  const email = await parse(bytes, problems);
  const from = mailboxes(email.from);
  const sender = mailboxes(email.sender)[0];
  const html = email.html ? readHtml(email.html.slice(0, MAX_HTML_READ), MAX_MAIL_TEXT) : undefined;
  const text = mailBodyText(email, html);
  const subject = (email.subject ?? '').slice(0, 2000);
  const links: MailLink[] = [];
  const seen = new Set<string>();
  if (html) {
    for (const link of html.links) {
      for (const url of extractUrls(link.href)) {
        if (seen.has(url.url)) continue;
        seen.add(url.url);
        links.push({ url, text: link.text, source: 'html' });
      }
    }
  }
  for (const url of extractUrls(text)) {
    if (seen.has(url.url)) continue;
    seen.add(url.url);
    links.push({ url, source: 'text' });
  }
  const mailFrom = payload.envelope.mailFrom;
  return {
    bytes,
    headers: email.headers,
    ...(from[0] ? { from: from[0] } : {}),
    fromCount: countFromMailboxes(email.headers, from.length),
    ...(sender ? { sender } : {}),
    replyTo: mailboxes(email.replyTo),
    ...(mailFrom ? { mailFromDomain: domainOf(mailFrom) } : {}),
    subject,
    ...(email.messageId ? { messageId: email.messageId } : {}),
    ...(email.date ? { date: email.date } : {}),
    text,
    ...(email.html ? { html: email.html } : {}),
    normalised: normaliseText(`${subject}\n${text.slice(0, MAX_NORMALISED_TEXT)}`),
    links,
    urls: links.map((l) => l.url),
    attachments: email.attachments.map((a) => {
      const content = toBytes(a.content);
      return {
        filename: a.filename,
        mimeType: a.mimeType,
        disposition: a.disposition,
        size: content.byteLength,
        content,
      };
    }),
    problems,
  };
}
