/**
 * Release of a quarantined mail (measure E4: 誤遮断の救済): the exact bytes
 * received, with one header prepended (`X-Mamoru-Released: <ISO time> by
 * <actor>; decision <id>`), re-injected by SMTP to the next hop past the
 * filter (Postfix's re-injection listener, `MAMORU_MAIL_RELEASE_SMTP`) with
 * the original envelope sender and the recipients released to. Sent with
 * nodemailer (its SMTP client: pipelining, STARTTLS, dot-stuffing and
 * timeouts done right); nothing of the message is rebuilt.
 */
import { createTransport } from 'nodemailer';
import { MamoruError } from '../../core/index.ts';

/** What a release sends. */
export interface Reinjection {
  /** The original envelope sender; '' for the null sender (a bounce). */
  readonly mailFrom: string;
  readonly to: readonly string[];
  readonly message: Uint8Array;
  readonly decisionId: string;
  readonly actor: string;
  readonly at: Date;
}

/** The header a release prepends (CR and LF of its parts removed: one header line). */
export function releasedHeader(at: Date, actor: string, decisionId: string): string {
  const clean = (s: string) => s.replace(/[\r\n]+/g, ' ').slice(0, 200);
  return `X-Mamoru-Released: ${at.toISOString()} by ${clean(actor)}; decision ${clean(decisionId)}\r\n`;
}

/**
 * Send a released mail to the next hop at `smtpUrl` (`smtp://host:port`).
 * Answers the recipients the next hop accepted and its queue id line.
 *
 * @throws MamoruError `not_ready` (503) when the next hop cannot be reached or takes none of the
 *   recipients: the caller keeps the mail quarantined.
 */
export async function reinject(
  smtpUrl: string,
  mail: Reinjection,
): Promise<{ accepted: string[]; messageId?: string | undefined; response: string }> {
  const transport = createTransport(smtpUrl);
  const raw = Buffer.concat([
    Buffer.from(releasedHeader(mail.at, mail.actor, mail.decisionId), 'utf8'),
    mail.message,
  ]);
  try {
    const info = await transport.sendMail({
      envelope: { from: mail.mailFrom, to: [...mail.to] },
      raw,
    });
    const accepted = ((info.accepted ?? []) as (string | { address: string })[]).map((a) =>
      typeof a === 'string' ? a : a.address,
    );
    if (accepted.length === 0) throw new Error(`no recipient accepted: ${info.response ?? ''}`);
    return { accepted, messageId: info.messageId, response: String(info.response ?? '') };
  } catch (error) {
    const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
    const why = [e.code, e.responseCode, e.response ?? e.message].filter((x) => x !== undefined).join(' ');
    throw new MamoruError(
      'not_ready',
      `次の配送先がメールを受け取りませんでした。メールは隔離されたままです / the next hop did not take the released mail (it stays quarantined): ${why}`,
      { cause: error },
    );
  } finally {
    transport.close();
  }
}
