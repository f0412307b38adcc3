import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorOf,
  checkpointSignatureProblem,
  parseCheckpoint,
} from '../../src/store/decision-checkpoint.ts';
import { bearer, createKey, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * GET /v1/decisions/checkpoint: a signed head another organisation can keep;
 * POST /v1/decisions/verify: the audit of `mamoru audit verify`, on the
 * server's database (X1).
 */

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
      const verify = await server.app.inject({
        method: 'POST',
        url: '/v1/decisions/verify',
        headers: bearer(token),
        payload: {},
      });
      expect(verify.statusCode, `${role} verify`).toBe(403);
      expect(verify.body).toContain('decisions:audit');
    }
    const anonymous = await server.app.inject({ method: 'GET', url: '/v1/decisions/checkpoint' });
    expect(anonymous.statusCode).toBe(401);
    const anonymousVerify = await server.app.inject({ method: 'POST', url: '/v1/decisions/verify' });
    expect(anonymousVerify.statusCode).toBe(401);
  });

  it('answers 409 when the chain head does not match the last decision', async () => {
    await server.mamoru.store.db.deleteFrom('decision_chain').execute();
    const res = await get('/v1/decisions/checkpoint', server.token);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'conflict' });
  });
});

interface Report {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  checkpoint?: { signature: string; seq?: number; file?: string };
  findings: { kind: string; seq?: number; id?: string; caseId?: string; message: string }[];
}

describe('POST /v1/decisions/verify', () => {
  // A configured key, as a server keeps it (the in-memory default would be a new key each time).
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  let audited: TestServer;
  const ids: string[] = [];
  beforeAll(async () => {
    audited = await startTestServer({ demo: false, checkpointKey: pem });
    const actor = { id: 'test', role: 'admin' as const, orgId: audited.orgId };
    for (let i = 0; i < 5; i++)
      ids.push(
        (
          await audited.mamoru.screen(actor, 'message', {
            kind: 'sms',
            sender: '+819012345678',
            text: `テスト ${i}`,
          })
        ).id,
      );
  });
  afterAll(() => audited.close());

  const read = (url: string) => audited.app.inject({ method: 'GET', url, headers: bearer(audited.token) });
  const verify = (payload?: unknown, token = audited.token) =>
    audited.app.inject({
      method: 'POST',
      url: '/v1/decisions/verify',
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('audits the whole log, with no body or against a checkpoint (the object, or its file’s text)', async () => {
    const plain = await verify();
    expect(plain.statusCode, plain.body).toBe(200);
    expect(plain.json()).toMatchObject({ ok: true, checked: 5, head: { seq: 5 }, findings: [] });
    expect((plain.json() as Report).checkpoint).toBeUndefined();

    const checkpoint = (await read('/v1/decisions/checkpoint?check=audit')).json() as {
      seq: number;
    };
    expect(checkpoint.seq).toBe(5);
    for (const given of [checkpoint, JSON.stringify(checkpoint, null, 2)]) {
      const res = await verify({ checkpoint: given });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        ok: true,
        checkpoint: { signature: 'valid', seq: 5 },
        findings: [],
      });
    }
    // With the public key the server publishes, as another organisation keeps it.
    const { publicKey } = (await read('/v1/decisions/checkpoint/key')).json() as {
      publicKey: string;
    };
    const keyed = await verify({ checkpoint, publicKey });
    expect((keyed.json() as Report).checkpoint?.signature).toBe('valid');

    // A checkpoint changed after it was signed, one that is not a checkpoint, one of another key: findings.
    const changed = await verify({ checkpoint: { ...checkpoint, seq: 4 } });
    expect(changed.statusCode).toBe(200);
    expect((changed.json() as Report).findings.map((f) => f.kind)).toEqual(['checkpoint_signature']);
    const malformed = await verify({ checkpoint: 'not json' });
    expect(malformed.json()).toMatchObject({ ok: false, checkpoint: { signature: 'malformed' } });
    expect((malformed.json() as Report).findings.map((f) => f.kind)).toEqual(['checkpoint_invalid']);
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const foreign = await verify({ checkpoint, publicKey: other });
    expect((foreign.json() as Report).checkpoint?.signature).toBe('invalid');
  });

  it('answers bad input as problem details naming the field', async () => {
    const notAKey = await verify({ checkpoint: {}, publicKey: 'not a key' });
    expect(notAKey.statusCode).toBe(400);
    expect(notAKey.headers['content-type']).toContain('application/problem+json');
    expect(notAKey.json().errors).toEqual([expect.objectContaining({ path: 'body.publicKey' })]);
    const notACheckpoint = await verify({ checkpoint: 5 });
    expect(notACheckpoint.statusCode).toBe(400);
    expect(notACheckpoint.json().errors[0].path).toBe('body.checkpoint');
    const unknown = await verify({ against: 'head.json' });
    expect(unknown.statusCode).toBe(400);
  });

  it('finds a tampered log over HTTP, and signs no checkpoint of it', async () => {
    const checkpoint = (await read('/v1/decisions/checkpoint?check=audit')).json();
    const db = audited.mamoru.store.db;
    await sql`update decisions set score = 42 where id = ${ids[1]}`.execute(db);
    const report = (await verify()).json() as Report;
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.kind, f.id])).toEqual([['edited', ids[1]]]);

    // The newest decisions deleted with the head moved back: only the checkpoint shows it.
    await sql`update decisions set score = 0 where id = ${ids[1]}`.execute(db);
    const untouched = (await verify()).json() as Report;
    expect(untouched.ok, JSON.stringify(untouched.findings)).toBe(true);
    const [fourth] = (
      await sql<{ seq: number; hash: string }>`select seq, hash from decisions where id = ${ids[3]}`.execute(
        db,
      )
    ).rows;
    await sql`delete from decisions where seq > ${fourth?.seq}`.execute(db);
    await sql`update decision_chain set last_seq = ${fourth?.seq}, last_hash = ${fourth?.hash}`.execute(db);
    expect(((await verify()).json() as Report).ok).toBe(true);
    const against = (await verify({ checkpoint })).json() as Report;
    expect(against.findings.map((f) => f.kind)).toEqual(['truncated']);

    await sql`update decisions set score = 42 where id = ${ids[0]}`.execute(db);
    const refused = await read('/v1/decisions/checkpoint?check=audit');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'conflict' });
    // The head alone is still sound: a quick checkpoint does not walk the log.
    expect((await read('/v1/decisions/checkpoint')).statusCode).toBe(200);
  });
});
