import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Verdict } from '../../src/core/index.ts';
import { canonicalJson } from '../../src/store/canonical-json.ts';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 8, item 10: the screen routes answer a verdict with the text the
 * decision log stored and hashed (its canonical JSON, then the case), not a
 * second serialisation; the answer says the same as the verdict logged.
 */
const LURE = {
  kind: 'sms',
  sender: '+81300000000',
  text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function logged(id: string): Promise<Verdict> {
  const record = await server.mamoru.store.decisions.get(server.orgId, id);
  if (!record) throw new Error(`decision ${id} is not in the log`);
  return record.verdict;
}

describe('the screen answer is the logged text', () => {
  it('POST /v1/screen/{channel}: the body is the canonical JSON of the logged verdict', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(server.token),
      payload: LURE,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const verdict = res.json() as Verdict;
    expect(verdict.hits.length).toBeGreaterThan(0);
    expect(res.body).toBe(canonicalJson(await logged(verdict.id)));
  });

  it('POST /v1/events: each verdict as logged, problems and counts as before', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(server.token),
      payload: {
        events: [
          { channel: 'message', id: 'evt-a', payload: LURE },
          { channel: 'message', payload: { kind: 'fax', sender: 'x', text: 'y' } },
          { channel: 'message', payload: { ...LURE, text: '明日の会議は10時からです。' } },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as {
      results: {
        index: number;
        verdict?: Verdict;
        problem?: { status: number; errors?: { path: string }[] };
      }[];
      accepted: number;
      rejected: number;
    };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(1);
    expect(body.results.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(body.results[1]?.problem?.status).toBe(400);
    expect(body.results[1]?.problem?.errors?.[0]?.path).toBe('events.1.payload.kind');
    for (const i of [0, 2]) {
      const verdict = body.results[i]?.verdict;
      expect(Object.keys(body.results[i] ?? {})).toEqual(['index', 'verdict']);
      expect(res.body).toContain(`{"index":${i},"verdict":${canonicalJson(await logged(verdict!.id))}}`);
    }
    expect(body.results[0]?.verdict?.eventId).toBe('evt-a');
  });

  it('answerJson knows only what screen answered, and not a verdict the log had to change', async () => {
    const admin = { id: 'test', role: 'admin' as const, orgId: server.orgId };
    const result = await server.mamoru.screen(admin, 'message', LURE);
    expect(server.mamoru.answerJson(result)).toBe(canonicalJson(result));
    expect(server.mamoru.answerJson({ ...result })).toBeUndefined();
    expect(server.mamoru.answerJson('text')).toBeUndefined();
    // A verdict with a NUL is stored with U+FFFD: the record has no text to answer with.
    const changed = { ...result, id: newId('dec'), summary: { ja: 'a\u0000b', en: 'x' } };
    const record = await server.mamoru.store.decisions.append(changed, {});
    expect(record.verdictJson).toBeUndefined();
    const plain = await server.mamoru.store.decisions.append({ ...result, id: newId('dec') }, {});
    expect(plain.verdictJson).toBe(canonicalJson(plain.verdict));
  });
  // Last: the policy it stores opens a case for every later screening.
  it('a verdict that opens a case: the logged text with the case after it', async () => {
    const admin = { id: 'test', role: 'admin' as const, orgId: server.orgId };
    await server.mamoru.putPolicy(admin, 'message', {
      id: 'message.review-all',
      channel: 'message',
      thresholds: { warn: null, review: 1, block: 1000 },
    });
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(server.token),
      payload: LURE,
    });
    expect(res.statusCode).toBe(200);
    const answer = res.json() as Verdict & { case?: { id: string; status: string; reused: boolean } };
    expect(answer.action).toBe('review');
    expect(answer.case).toEqual({ id: expect.any(String), status: 'open', reused: false });
    const { case: opened, ...verdict } = answer;
    expect(verdict).toEqual(await logged(answer.id));
    expect(res.body).toBe(`${canonicalJson(verdict).slice(0, -1)},"case":${JSON.stringify(opened)}}`);
  });
});
