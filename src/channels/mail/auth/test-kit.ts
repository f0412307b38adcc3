/**
 * Test kit for the mail authentication tests (measures E2, E3, E4): DKIM keys made with
 * node:crypto (RSA 2048 and ed25519, RFC 8463), their DNS records, messages signed with
 * mailauth's `dkimSign` and ARC-sealed with `sealMessage` as a mailing list would. Used by the
 * tests beside it and by anyone who needs signed mail (the Postfix end-to-end test).
 */
import { generateKeyPairSync } from 'node:crypto';
import { authenticate, dkimSign, sealMessage } from 'mailauth';
import type { Zone, ZoneRecord } from '../zone-resolver.ts';

export interface DkimKey {
  readonly algorithm: 'rsa' | 'ed25519';
  readonly privateKey: string;
  /** The `selector._domainkey.domain` TXT record's text. */
  readonly record: string;
}

/** A fresh DKIM key pair and its DNS record text. */
export function dkimKey(algorithm: 'rsa' | 'ed25519' = 'rsa'): DkimKey {
  if (algorithm === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    // RFC 8463 section 4.2: p= is the bare 32-byte public key
    const raw = spki.subarray(spki.length - 32).toString('base64');
    return {
      algorithm,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      record: `v=DKIM1; k=ed25519; p=${raw}`,
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    algorithm,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    record: `v=DKIM1; k=rsa; p=${p}`,
  };
}

/** TXT records split into 255-octet chunks (one record), as a zone holds a long DKIM key. */
export function txtRecord(text: string): ZoneRecord {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 255) chunks.push(text.slice(i, i + 255));
  return { type: 'TXT', data: chunks };
}

/** A plain message (CRLF line ends). */
export function message(
  from: string,
  opts: { subject?: string; body?: string; headers?: readonly string[] } = {},
): string {
  return [
    `From: ${from}`,
    'To: user@example.jp',
    `Subject: ${opts.subject ?? 'Invoice 42'}`,
    'Date: Thu, 15 Jan 2026 09:30:00 +0900',
    `Message-ID: <${Math.random().toString(36).slice(2)}@test.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    ...(opts.headers ?? []),
    '',
    opts.body ?? 'Hello, your invoice is attached.',
    '',
  ].join('\r\n');
}

/** The message with a DKIM-Signature of `domain`/`selector` by `key` on top. */
export async function sign(raw: string, domain: string, selector: string, key: DkimKey): Promise<string> {
  const signed = await dkimSign(raw, {
    canonicalization: 'relaxed/relaxed',
    signatureData: [{ signingDomain: domain, selector, privateKey: key.privateKey }],
  } as never);
  if (signed.errors.length > 0) throw new Error(`dkimSign: ${JSON.stringify(signed.errors)}`);
  return signed.signatures + raw;
}

/**
 * What a mailing list does: authenticates the message as received (through `resolver`), adds a
 * footer (which breaks the author's DKIM signature), and ARC-seals it as `sealer` with its
 * Authentication-Results (RFC 8617).
 */
export async function forwardThroughList(
  raw: string,
  opts: {
    resolver: (name: string, type: string) => Promise<unknown>;
    listIp: string;
    clientIp: string;
    mailFrom: string;
    sealer: string;
    selector: string;
    key: DkimKey;
  },
): Promise<string> {
  const received = await authenticate(raw, {
    ip: opts.clientIp,
    helo: 'mail.sender.example',
    sender: opts.mailFrom,
    mta: `lists.${opts.sealer}`,
    resolver: opts.resolver as never,
    disableBimi: true,
  });
  const ar = /Authentication-Results: ([\s\S]*?)\r\n(?=\S|$)/.exec(received.headers)?.[1];
  if (!ar) throw new Error('no Authentication-Results from the list');
  const modified = `${raw.replace(/\r\n$/, '')}\r\n-- \r\nlist footer\r\n`;
  const sealed = await sealMessage(modified, {
    signingDomain: opts.sealer,
    selector: opts.selector,
    privateKey: opts.key.privateKey,
    authResults: ar.replace(/\r\n\s+/g, ' '),
    cv: 'none',
  });
  return sealed.toString() + modified;
}

/** A zone with the DKIM key records `selector._domainkey.domain` added. */
export function withKeys(zone: Zone, keys: Record<string, DkimKey>): Zone {
  const out: Record<string, readonly ZoneRecord[]> = { ...zone };
  for (const [name, key] of Object.entries(keys)) out[name] = [...(out[name] ?? []), txtRecord(key.record)];
  return out;
}
