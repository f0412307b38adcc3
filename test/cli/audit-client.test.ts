import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { runCli } from './run-cli.ts';

/**
 * `mamoru audit …` through a running server (MAMORU_URL, MAMORU_API_KEY): the
 * server here runs in the test's process, so that the test can tamper with its
 * database as an insider with SQL access would, while the CLI runs as a user's.
 */
let server: TestServer;
let env: Record<string, string>;
let dir: string;
const ids: string[] = [];

beforeAll(async () => {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  server = await startTestServer({ demo: false, checkpointKey: pem });
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  env = { MAMORU_URL: url, MAMORU_API_KEY: server.token };
  dir = await mkdtemp(join(tmpdir(), 'mamoru-audit-client-'));
  const actor = { id: 'test', role: 'admin' as const, orgId: server.orgId };
  for (let i = 0; i < 4; i++)
    ids.push(
      (
        await server.mamoru.screen(actor, 'message', {
          kind: 'sms',
          sender: '+819012345678',
          text: `テスト ${i}`,
        })
      ).id,
    );
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('mamoru audit through the server', () => {
  it('exits 0 on the untouched log and 3 once a row is edited, against a checkpoint too', async () => {
    const file = join(dir, 'checkpoint.json');
    const signed = await runCli(['audit', 'checkpoint', '--out', file], { env });
    expect(signed.code, signed.stderr).toBe(0);
    const clean = await runCli(['audit', 'verify', '--against', file], { env });
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({
      ok: true,
      checked: 4,
      checkpoint: { file, signature: 'valid' },
    });

    await sql`update decisions set action = 'block', score = 42 where id = ${ids[2]}`.execute(
      server.mamoru.store.db,
    );
    const tampered = await runCli(['audit', 'verify'], { env });
    expect(tampered.code).toBe(3);
    expect(JSON.parse(tampered.stdout).findings).toEqual([
      expect.objectContaining({ kind: 'edited', id: ids[2] }),
    ]);
    expect(tampered.stderr).toContain('decision log tampering found: 1 finding');
    const against = await runCli(['audit', 'verify', '--against', file], { env });
    expect(against.code).toBe(3);
    // The server signs no checkpoint of a log with findings: its 409, printed as the other commands print one.
    const refused = await runCli(['audit', 'checkpoint'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^mamoru: 409: /);
    expect(refused.stderr).toMatch(/^ {2}edited \d+: /m);
  });

  it('sends the public key given, and names the flag of a file it cannot use', async () => {
    const key = await runCli(['audit', 'public-key'], { env });
    expect(key.code, key.stderr).toBe(0);
    const pub = join(dir, 'operator.pub');
    await writeFile(pub, key.stdout);
    const file = join(dir, 'checkpoint.json');
    const keyed = await runCli(['audit', 'verify', '--against', file, '--public-key', pub], { env });
    expect(JSON.parse(keyed.stdout).checkpoint.signature).toBe('valid');
    const notAKey = await runCli(['audit', 'verify', '--against', file, '--public-key', file], { env });
    expect(notAKey.code).toBe(1);
    expect(notAKey.stderr).toContain('--public-key');
    const missing = await runCli(['audit', 'verify', '--against', join(dir, 'nowhere.json')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--against: cannot read/);
  });
});
