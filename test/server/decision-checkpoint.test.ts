import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorOf,
  checkpointSignatureProblem,
  parseCheckpoint,
} from '../../src/store/decision-checkpoint.ts';
import { bearer, createKey, startTestServer, type TestServer } from '../helpers/server.ts';

/** GET /v1/decisions/checkpoint: a signed head another organisation can keep (X1). */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ demo: false });
});
afterAll(() => server.close());

const get = (url: string, token: string) => server.app.inject({ method: 'GET', url, headers: bearer(token) });

describe('decision log checkpoint API', () => {
  it('gives an admin a checkpoint of the head, signed by the key it publishes', async () => {
    const actor = { id: 'test', role: 'admin' as const, orgId: server.orgId };
    for (let i = 0; i < 3; i++)
      await server.mamoru.screen(actor, 'message', {
        kind: 'sms',
        sender: '+819012345678',
        text: `テスト ${i}`,
      });
    const res = await get('/v1/decisions/checkpoint', server.token);
    expect(res.statusCode, res.body).toBe(200);
    const parsed = parseCheckpoint(res.body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.checkpoint.seq).toBe(3);
    const key = await get('/v1/decisions/checkpoint/key', server.token);
    expect(key.statusCode).toBe(200);
    const {
      key: id,
      algorithm,
      publicKey,
    } = key.json() as { key: string; algorithm: string; publicKey: string };
    expect([id, algorithm]).toEqual([parsed.checkpoint.key, 'Ed25519']);
    expect(checkpointSignatureProblem(parsed.checkpoint, createPublicKey(publicKey))).toBeUndefined();
    expect((await server.mamoru.store.decisions.verify({ against: anchorOf(parsed.checkpoint) })).ok).toBe(
      true,
    );
    // The same key signs the next one.
    const again = await get('/v1/decisions/checkpoint', server.token);
    expect((again.json() as { key: string }).key).toBe(id);
  });

  it('refuses every other role, as problem details naming the permission', async () => {
    for (const role of ['analyst', 'reviewer', 'agent', 'system']) {
      const token = await createKey(server, server.token, role);
      for (const url of ['/v1/decisions/checkpoint', '/v1/decisions/checkpoint/key']) {
        const res = await get(url, token);
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body).toContain('decisions:audit');
      }
    }
    const anonymous = await server.app.inject({ method: 'GET', url: '/v1/decisions/checkpoint' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 409 when the chain head does not match the last decision', async () => {
    await server.mamoru.store.db.deleteFrom('decision_chain').execute();
    const res = await get('/v1/decisions/checkpoint', server.token);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'conflict' });
  });
});
