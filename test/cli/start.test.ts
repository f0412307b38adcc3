import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.ts';

/** The README's quick start: `npm start` (mamoru serve) on a fresh data folder, then the sample request as pasted. */
let dir: string;
let server: ReturnType<typeof spawn>;
let output = '';
const port = 20000 + Math.floor(Math.random() * 20000);

beforeAll(async () => {
  // A data folder that does not exist yet, as on a fresh checkout.
  dir = join(await mkdtemp(join(tmpdir(), 'mamoru-start-')), 'data');
  server = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), MAMORU_DATA_DIR: dir, LOG_LEVEL: 'info' },
  });
  server.stdout?.on('data', (d) => {
    output += d;
  });
  server.stderr?.on('data', (d) => {
    output += d;
  });
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not start:\n${output}`);
});
afterAll(async () => {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await rm(dirname(dir), { recursive: true, force: true });
});

describe('npm start', () => {
  it('keeps the demo key in data/demo-api-key, owner-only, and never prints it when not on a terminal', async () => {
    const token = (await readFile(join(dir, 'demo-api-key'), 'utf8')).trim();
    expect(token).toMatch(/^mk_/);
    expect((await stat(join(dir, 'demo-api-key'))).mode & 0o777).toBe(0o600);
    // stdout and stderr are pipes here: the key is in the file alone, neither in a log line nor on stderr.
    expect(output).not.toContain(token);
    expect(output).toContain(join(dir, 'demo-api-key'));
  });

  it('keeps the data folder and every file in it readable by the owner only', async () => {
    const modes: string[] = [];
    const walk = async (d: string): Promise<void> => {
      expect((await stat(d)).mode & 0o777, d).toBe(0o700);
      for (const entry of await readdir(d, { withFileTypes: true })) {
        const path = join(d, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) {
          modes.push(`${(await stat(path)).mode & 0o777}`);
          expect((await stat(path)).mode & 0o077, path).toBe(0);
        }
      }
    };
    await walk(dir);
    // The database's own files are among them (PGlite writes hundreds).
    expect(modes.length).toBeGreaterThan(100);
  });

  it('refuses a port in use before writing anything: no data folder, database or key', async () => {
    const fresh = join(dirname(dir), 'second');
    const second = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: '',
        PORT: String(port),
        MAMORU_DATA_DIR: fresh,
        LOG_LEVEL: 'info',
      },
    });
    let said = '';
    second.stdout?.on('data', (d) => {
      said += d;
    });
    second.stderr?.on('data', (d) => {
      said += d;
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(said).toContain(`port ${port}`);
    await expect(stat(fresh)).rejects.toThrow(/ENOENT/);
  });

  it("answers the README's sample request with a verdict in Japanese and English", async () => {
    const token = (await readFile(join(dir, 'demo-api-key'), 'utf8')).trim();
    const res = await fetch(`http://127.0.0.1:${port}/v1/screen/message`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'sms',
        sender: '+81300000000',
        text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
      }),
    });
    expect(res.status).toBe(200);
    const verdict = (await res.json()) as {
      action: string;
      reasons: { ja: string; en: string }[];
      summary: { ja: string; en: string };
    };
    expect(['warn', 'review', 'hold', 'block']).toContain(verdict.action);
    expect(verdict.reasons.length).toBeGreaterThan(0);
    expect(verdict.summary.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });

  it('the README sample command is in the README exactly as tested', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('$(cat data/demo-api-key)');
    expect(readme).toContain('https://amazon-co-jp.account-verify.example/login');
  });
});
