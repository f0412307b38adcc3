import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailKit } from '../../../test/helpers/mail-channel.ts';
import { ACTIONS } from '../../core/index.ts';
import { MAX_MAIL_BYTES } from './mail-schema.ts';

/**
 * Hostile and broken mail through the whole channel (issue 11, "Must show": malformed MIME, broken
 * headers, huge headers and invalid UTF-8 never crash the filter): every message gets a verdict, and
 * no detector throws on it. The milter's side (random packets, the store failing: 451, never a
 * lost mail) is in `milter/*.test.ts` and `mta.test.ts`.
 */

const { screen } = mailKit();

const CRLF = '\r\n';
const headerName = fc.oneof(
  fc.constantFrom(
    'From',
    'To',
    'Subject',
    'Reply-To',
    'Sender',
    'Content-Type',
    'Content-Transfer-Encoding',
    'MIME-Version',
    'Date',
    'Message-ID',
  ),
  fc.string({ minLength: 0, maxLength: 20 }),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '"Amazon" <a@b>',
    '<>',
    'a@',
    '@b',
    '=?UTF-8?B?!!!?=',
    '=?ISO-2022-JP?B?GyRCJCIbKEI=?=',
    '=?x?Q?=ZZ?=',
    'multipart/mixed; boundary=',
    'multipart/alternative; boundary="b"',
    'text/html; charset=unknown-8bit',
    'base64',
    'quoted-printable',
    'group: a@b, c@d;',
  ),
);
const header = fc
  .tuple(headerName, headerValue, fc.boolean())
  .map(([n, v, folded]) => `${n}: ${folded ? v.replace(/ /g, `${CRLF}\t`) : v}`);
const bodyPart = fc.oneof(
  fc.string({ maxLength: 500 }),
  fc.constantFrom(
    '--b\r\nContent-Type: text/html\r\n\r\n<a href="http://x.example/">www.amazon.co.jp</a><form action=//y.example>',
    '--b\r\nContent-Type: application/zip; name="a.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAIAAAAIQAAAAAAAAAAAAAAAAAFAAAAYS5leGU=',
    '--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x\r\n\r\n--b--',
    '--b--',
    '<html><body>' + '<div>'.repeat(200),
    'https://xn--80ak6aa92e.com/ hxxp://evil[.]example/ 090-1234-5678',
  ),
);
const message = fc
  .tuple(
    fc.array(header, { maxLength: 30 }),
    fc.constantFrom(CRLF, '\n', '\r', ''),
    fc.array(bodyPart, { maxLength: 6 }),
  )
  .map(([headers, sep, parts]) => `${headers.join(sep || CRLF)}${sep}${sep}${parts.join(CRLF)}`);

/** Bytes that are not UTF-8 (lone continuation bytes, overlongs, Shift_JIS) spliced into a message. */
const invalidUtf8 = fc
  .tuple(message, fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat())
  .map(([text, bytes, at]) => {
    const b = Buffer.from(text, 'utf8');
    const i = b.length === 0 ? 0 : at % b.length;
    return Buffer.concat([
      b.subarray(0, i),
      Buffer.from([0xc0, 0x80, 0xff, 0x82, 0xa0]),
      Buffer.from(bytes),
      b.subarray(i),
    ]);
  });

async function expectVerdict(payload: unknown): Promise<void> {
  const verdict = await screen(payload);
  expect(ACTIONS).toContain(verdict.action);
  expect(verdict.outcomes.filter((o) => o.outcome === 'error' && o.code !== 'enrichment_failed')).toEqual([]);
}

describe('the mail channel on broken and hostile mail (E4: nothing crashes, nothing is lost)', () => {
  it('gives a verdict for any malformed MIME and broken headers', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (raw) => {
        if (raw === '') return;
        await expectVerdict({ raw, envelope: { rcptTo: ['user@example.jp'] } });
      }),
      { numRuns: 150 },
    );
  });

  it('gives a verdict for a message with invalid UTF-8 bytes (sent as rawBase64, as the milter does)', async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, async (bytes) => {
        await expectVerdict({
          rawBase64: bytes.toString('base64'),
          envelope: { rcptTo: ['user@example.jp'] },
        });
      }),
      { numRuns: 100 },
    );
  });

  it('gives a verdict for huge headers: one of 1 MB, and 20,000 short ones', async () => {
    const long = `From: a@b.example${CRLF}Subject: ${'あ'.repeat(350_000)}${CRLF}${CRLF}body${CRLF}`;
    const many = `${Array.from({ length: 20_000 }, (_, i) => `X-H${i}: ${i}`).join(CRLF)}${CRLF}From: a@b.example${CRLF}${CRLF}body${CRLF}`;
    for (const raw of [long, many]) {
      expect(Buffer.byteLength(raw)).toBeLessThan(MAX_MAIL_BYTES);
      await expectVerdict({ raw, envelope: { rcptTo: ['user@example.jp'] } });
    }
  });
});
