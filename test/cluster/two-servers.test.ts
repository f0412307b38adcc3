import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.ts';
import { freePort } from '../helpers/free-port.ts';
import { freshDatabase } from '../helpers/stores.ts';

/**
 * Several servers, one database (issue 8 item 8, "Must show"): two `mamoru serve` processes on
 * one PostgreSQL behave as one. An outcome is delivered exactly once, by one of them; a key
 * revoked on one is refused by the other within a second; an indicator written on one is seen
 * by the other within a second. Runs where DATABASE_URL names a server (CI sets it), on a fresh
 * database of its own.
 */
interface Server {
  readonly name: string;
  readonly url: string;
  readonly dir: string;
  readonly process: ChildProcess;
  output: string;
}

const serverUrl = process.env.DATABASE_URL;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let a: Server;
let b: Server;
let token: string;
let root: string;

async function start(name: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const dir = join(root, name);
  const child = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), MAMORU_DATA_DIR: dir, LOG_LEVEL: 'info' },
  });
  const server: Server = { name, url: `http://127.0.0.1:${port}`, dir, process: child, output: '' };
  child.stdout?.on('data', (d) => {
    server.output += d;
  });
  child.stderr?.on('data', (d) => {
    server.output += d;
  });
  return server;
}

async function ready(server: Server): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until && server.process.exitCode === null) {
    try {
      if ((await fetch(`${server.url}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server ${server.name} did not start:\n${server.output}`);
}

async function stop(server: Server | undefined): Promise<void> {
  if (!server || server.process.exitCode !== null) return;
  server.process.kill('SIGTERM');
  await new Promise((r) => server.process.once('exit', r));
}

async function api(
  server: Server,
  method: string,
  path: string,
  body?: unknown,
  bearer = token,
): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Answer) : ({} as Answer) };
}

/** The fields of API answers the tests read. */
interface Answer {
  readonly token: string;
  readonly key: { readonly id: string };
  readonly action: string;
  readonly hits: readonly { readonly signal: string }[];
  readonly case: { readonly id: string };
  readonly policy: { readonly version: number };
}

/** Poll `check` until it holds; the milliseconds it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const from = performance.now();
  while (!(await check())) {
    if (performance.now() - from > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - from;
}

/** The JSON log lines of a server with this message. */
function logLines(server: Server, msg: string): Record<string, unknown>[] {
  return server.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!serverUrl)('two servers on one PostgreSQL', () => {
  beforeAll(async () => {
    fresh = await freshDatabase(serverUrl!, 'mamoru_cluster');
    root = await mkdtemp(join(tmpdir(), 'mamoru-cluster-'));
    const env = {
      DATABASE_URL: fresh.url,
      // Every process on one database hashes with one key (docs/scaling.md).
      MAMORU_HMAC_KEY: randomBytes(32).toString('hex'),
      MAMORU_DEMO: 'false',
      MAMORU_SWEEP_INTERVAL: '1',
    };
    // Both first-start at once on the empty database: one creates the operator and its key.
    [a, b] = await Promise.all([start('a', env), start('b', env)]);
    await Promise.all([ready(a), ready(b)]);
    const keys = await Promise.all(
      [a, b].map((s) => readFile(join(s.dir, 'admin-api-key'), 'utf8').catch(() => undefined)),
    );
    expect(keys.filter(Boolean)).toHaveLength(1);
    token = keys.find(Boolean)!.trim();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await fresh?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a key revoked on one server is refused by the other within a second', async () => {
    const created = await api(a, 'POST', '/v1/keys', { name: 'probe', role: 'analyst' });
    expect(created.status).toBe(201);
    const probe = created.json.token;
    // b knows the key now: its row is cached there for a minute.
    expect((await api(b, 'GET', '/v1/me', undefined, probe)).status).toBe(200);
    expect((await api(b, 'GET', '/v1/me', undefined, probe)).status).toBe(200);
    expect((await api(a, 'DELETE', `/v1/keys/${created.json.key.id}`)).status).toBe(204);
    const took = await within(
      1_000,
      async () => (await api(b, 'GET', '/v1/me', undefined, probe)).status === 401,
    );
    expect(took).toBeLessThan(1_000);
    expect((await api(a, 'GET', '/v1/me', undefined, probe)).status).toBe(401);
  });

  it('an indicator written on one server is seen by the other within a second', async () => {
    const url = `https://login-${randomBytes(4).toString('hex')}.cluster-phish.example/verify`;
    const sms = { kind: 'sms', sender: '+81300000000', text: `アカウント確認はこちら ${url}` };
    const matched = async (server: Server) => {
      const res = await api(server, 'POST', '/v1/screen/message', sms);
      expect(res.status).toBe(200);
      return res.json.hits.some((h) => h.signal === 'INTEL_MATCH_URL');
    };
    // b has looked the URL up and caches "nothing known" (for 5 s without the cluster's word).
    expect(await matched(b)).toBe(false);
    expect(await matched(b)).toBe(false);
    const written = await api(a, 'POST', '/v1/indicators', {
      type: 'url',
      value: url,
      verdict: 'malicious',
      confidence: 100,
    });
    expect(written.status).toBe(201);
    const took = await within(1_000, () => matched(b));
    expect(took).toBeLessThan(1_000);
  });

  it('a policy stored on one server decides on the other within a second', async () => {
    const sms = { kind: 'sms', sender: '+81300000001', text: 'ご注文ありがとうございました' };
    const version = async (server: Server) => {
      const res = await api(server, 'POST', '/v1/screen/message', sms);
      expect(res.status).toBe(200);
      return res.json.policy.version;
    };
    // b screens under the version it has (cached there for 5 s without the cluster's word).
    const before = await version(b);
    expect(await version(b)).toBe(before);
    const stored = await api(a, 'PUT', '/v1/policies/message', {
      // The message default warns and blocks; a review threshold (and no block) makes listed senders open cases.
      document: { thresholds: { block: null, review: 6 }, caseSlaHours: { review: 12 } },
      comment: 'cluster test',
    });
    expect(stored.status).toBe(200);
    const took = await within(1_000, async () => (await version(b)) > before);
    expect(took).toBeLessThan(1_000);
  });

  it('each outcome is delivered exactly once, by one of the servers: resolutions on either, expiries by the sweep', async () => {
    const phone = `+8190${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    expect(
      (
        await api(a, 'POST', '/v1/indicators', {
          type: 'phone',
          value: phone,
          verdict: 'malicious',
          confidence: 100,
        })
      ).status,
    ).toBe(201);
    const screenOn = async (server: Server, i: number) => {
      const res = await api(server, 'POST', '/v1/screen/message', {
        kind: 'sms',
        sender: phone,
        text: `ご本人確認のお願い ${i}`,
      });
      expect(res.status).toBe(200);
      expect(res.json.action).toBe('review');
      return res.json.case.id;
    };
    // Cases resolved through either server, at once: each resolving server delivers its own.
    const resolved = await Promise.all(Array.from({ length: 8 }, (_, i) => screenOn(i % 2 ? a : b, i)));
    const resolvedBy = new Map<string, Server>();
    await Promise.all(
      resolved.map(async (id, i) => {
        const server = i % 2 ? b : a;
        resolvedBy.set(id, server);
        const res = await api(server, 'POST', `/v1/cases/${id}/resolve`, {
          resolution: i % 4 === 0 ? 'denied' : 'approved',
          reason: 'クラスタ試験 / cluster test',
        });
        expect(res.status).toBe(200);
      }),
    );
    // Cases that expire within about a second, expired and delivered by whichever server sweeps.
    const put = await api(a, 'PUT', '/v1/policies/message', {
      document: { thresholds: { block: null, review: 6 }, caseSlaHours: { review: 0.0003 } },
      comment: 'cluster test: review cases due in about a second',
    });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    // Screened on a, which wrote the policy (b sees a policy change within 5 s).
    const expiring = await Promise.all(Array.from({ length: 6 }, (_, i) => screenOn(a, 100 + i)));
    const all = [...resolved, ...expiring];
    await within(20_000, async () => {
      const rows = await query<{ n: string }>(
        'select count(*) as n from cases where id = any($1) and outcome_delivered_at is not null',
        [all],
      );
      return Number(rows[0]?.n) === all.length;
    });
    // Two more sweeps on each server: nothing is delivered a second time.
    await new Promise((r) => setTimeout(r, 2_500));
    const deliveries = [a, b].flatMap((server) =>
      logLines(server, 'case outcome delivered')
        .filter((line) => all.includes(line.caseId as string))
        .map((line) => ({ caseId: line.caseId as string, server, instance: line.instance as string })),
    );
    expect(deliveries.map((d) => d.caseId).sort()).toEqual([...all].sort());
    const rows = await query<{ id: string; status: string; outcome_claimed_by: string }>(
      'select id, status, outcome_claimed_by from cases where id = any($1)',
      [all],
    );
    for (const row of rows) {
      const delivery = deliveries.find((d) => d.caseId === row.id)!;
      expect(row.outcome_claimed_by).toBe(delivery.instance);
      if (resolved.includes(row.id)) {
        expect(row.status).toBe('resolved');
        expect(delivery.server).toBe(resolvedBy.get(row.id));
      } else {
        expect(row.status).toBe('expired');
      }
    }
    // The sweeps took turns on the one lease row, held now by one of the two servers.
    const holders = await query<{ holder: string }>(
      "select holder from cluster_leases where name = 'case-sweep'",
    );
    expect(new Set(deliveries.map((d) => d.instance))).toContain(holders[0]?.holder);
  });
});
