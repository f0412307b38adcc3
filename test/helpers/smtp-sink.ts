import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message an SMTP sink accepted: its envelope and exact bytes. */
export interface SunkMessage {
  /** MAIL FROM ('' for the null sender). */
  readonly from: string;
  readonly to: string[];
  readonly bytes: Buffer;
}

/** A running SMTP sink. */
export interface SmtpSink {
  readonly port: number;
  /** What it accepted, in order. */
  readonly received: SunkMessage[];
  /** While `on`, DATA is answered 451 (a next hop that refuses for now). */
  readonly refuse: { on: boolean };
  close(): Promise<void>;
}

/**
 * An SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps what it
 * receives: the next hop released mail is re-injected to (E4), in the
 * quarantine suites and the console's. Port 0 picks a free one.
 *
 * @example const hop = await startSmtpSink(); process.env.MAMORU_MAIL_RELEASE_SMTP = `smtp://127.0.0.1:${hop.port}`;
 */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const received: SunkMessage[] = [];
  const refuse = { on: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse.on) {
          const err = new Error('try later') as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          bytes: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
