/**
 * HTTP `POST /v1/screen/message` on loopback: the server runs as its own
 * process (as in production, on its own core) on a fresh embedded database;
 * autocannon drives it from this process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { BenchResult } from './report.ts';

const PORT = 18787;

async function waitFor(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not answer ${url} within ${ms} ms`);
}

export async function benchHttp(seconds: number, connections: number): Promise<BenchResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mamoru-bench-'));
  const server = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      MAMORU_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${PORT}`;
    await waitFor(`${base}/readyz`, 60_000);
    const token = (await readFile(join(dataDir, 'demo-api-key'), 'utf8')).trim();
    const body = JSON.stringify({
      kind: 'sms',
      sender: '+819012345678',
      text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
    });
    const opts = {
      url: `${base}/v1/screen/message`,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      connections,
    };
    await autocannon({ ...opts, duration: 3 }); // warm-up: JIT, caches, key check
    const result = await autocannon({ ...opts, duration: seconds });
    const errors = result.errors + result.timeouts + result.non2xx;
    return {
      name: `http: POST /v1/screen/message, ${connections} connections`,
      unit: 'req/s',
      throughput: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      count: result.requests.total,
      seconds,
      target: '≥ 5,000 req/s at p99 ≤ 20 ms',
      note:
        errors > 0
          ? `${errors} errors/timeouts/non-2xx`
          : 'server: PGlite, decision log + intel lookup on every request',
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}
