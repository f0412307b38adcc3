/**
 * The quarantine's operations over HTTP (E4), as the console calls them:
 * `/v1/mail/quarantine…` and `/v1/mail/strength` with each role's
 * permission (an agent reads, only a resolver releases), 400/404/409 and the
 * 503 of a next hop that does not answer, Japanese first in the problems.
 * The release goes to a closed loopback port; nothing here screens mail
 * (no DNS): the held mail is written as the channel's record would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/free-port.ts';
import { bearer, createKey, startTestServer, type TestServer } from '../../../test/helpers/server.ts';
import { mailDb } from './mail-part.ts';
import { QuarantineStore } from './quarantine-store.ts';

let server: TestServer;
let agent: string;
let reviewer: string;
let id: string;
const before = process.env.MAMORU_MAIL_RELEASE_SMTP;

beforeAll(async () => {
  // A next hop nobody listens on: the release must fail with 503 and keep the mail.
  process.env.MAMORU_MAIL_RELEASE_SMTP = `smtp://127.0.0.1:${await freePort()}`;
  server = await startTestServer({ demo: false });
  agent = await createKey(server, server.token, 'agent');
  reviewer = await createKey(server, server.token, 'reviewer');
  const store = new QuarantineStore(mailDb(server.mamoru.store));
  id = await store.put({
    orgId: server.orgId,
    decisionId: 'dec_http_1',
    recipientKeys: [],
    recipients: ['user@example.jp'],
    mailFrom: 'bounce@lure.example',
    from: 'support@lure.example',
    subject: '確認してください',
    score: 9,
    action: 'hold',
    summary: { ja: '隔離', en: 'held' },
    verdict: {
      id: 'dec_http_1',
      eventId: 'evt_http_1',
      score: 9,
      hits: [],
      indicators: [],
      summary: { ja: '隔離', en: 'held' },
      reasons: [{ signal: 'MAIL_SENDER_NEW', ja: '新しい送信者', en: 'a new sender' }],
      policy: { id: 'mail.default', version: 0 },
      createdAt: new Date().toISOString(),
    },
    origin: 'api',
    senders: ['from:lure.example'],
    message: Buffer.from('From: support@lure.example\r\nSubject: x\r\n\r\nhello\r\n'),
    receivedAt: new Date(),
    expiresAt: new Date(Date.now() + 86_400_000),
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (before === undefined) delete process.env.MAMORU_MAIL_RELEASE_SMTP;
  else process.env.MAMORU_MAIL_RELEASE_SMTP = before;
});

const get = (url: string, token: string) => server.app.inject({ method: 'GET', url, headers: bearer(token) });
const post = (url: string, token: string, payload: unknown = {}) =>
  server.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });

describe('the quarantine over HTTP', () => {
  it('an agent (cases:read) lists and shows; the list is the contract’s shape', async () => {
    const list = await get('/v1/mail/quarantine', agent);
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual([
      expect.objectContaining({
        id,
        decisionId: 'dec_http_1',
        recipients: ['user@example.jp'],
        from: 'support@lure.example',
        subject: '確認してください',
        score: 9,
        action: 'hold',
        summary: { ja: '隔離', en: 'held' },
        status: 'quarantined',
        appeal: null,
      }),
    ]);
    const shown = await get(`/v1/mail/quarantine/${id}`, agent);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      textPreview: 'hello\n',
      reasons: [{ signal: 'MAIL_SENDER_NEW', ja: '新しい送信者', en: 'a new sender' }],
    });
  });

  it('400 naming query.limit; 404 for an unknown id', async () => {
    const bad = await get('/v1/mail/quarantine?limit=500', agent);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('query.limit');
    expect((await get('/v1/mail/quarantine/mq_unknown', agent)).statusCode).toBe(404);
  });

  it('an agent may not release or appeal (403); a reviewer’s release to a dead next hop is a 503 and keeps the mail', async () => {
    expect((await post(`/v1/mail/quarantine/${id}/release`, agent)).statusCode).toBe(403);
    expect((await post(`/v1/mail/quarantine/${id}/appeal`, agent, { reason: 'x' })).statusCode).toBe(403);
    const res = await post(`/v1/mail/quarantine/${id}/release`, reviewer);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'not_ready' });
    expect(res.json().detail).toMatch(/^次の配送先/);
    const after = await get(`/v1/mail/quarantine/${id}`, agent);
    expect(after.json().status).toBe('quarantined');
  });

  it('an appeal by a reviewer opens a case the reviewer can read; a second one is a 409', async () => {
    const res = await post(`/v1/mail/quarantine/${id}/appeal`, reviewer, { reason: '正規のメールです' });
    expect(res.statusCode).toBe(201);
    const { caseId } = res.json();
    const kase = await get(`/v1/cases/${caseId}`, reviewer);
    expect(kase.statusCode).toBe(200);
    expect(JSON.stringify(kase.json())).toContain('正規のメールです');
    expect((await post(`/v1/mail/quarantine/${id}/appeal`, reviewer, { reason: 'again' })).statusCode).toBe(
      409,
    );
  });

  it('strength: system-like permissions (subscribers:write) set it, a reviewer may not', async () => {
    expect(
      (await post('/v1/mail/strength', reviewer, { recipient: 'u@example.jp', strength: 'high' })).statusCode,
    ).toBe(403);
    const set = await post('/v1/mail/strength', server.token, {
      recipient: 'u@example.jp',
      strength: 'high',
    });
    expect(set.statusCode).toBe(200);
    const shown = await get('/v1/mail/strength?recipient=U%40example.jp', server.token);
    expect(shown.json()).toMatchObject({ strength: 'high' });
  });
});
