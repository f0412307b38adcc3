import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { loadPublicKey } from '../../src/store/checkpoint-key.ts';
import { checkpointSignatureProblem, parseCheckpoint } from '../../src/store/decision-checkpoint.ts';
import { ROOT, runCli } from './run-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-audit-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mamoru audit verify', () => {
  it('passes on an untouched log, then reports an edited and a deleted row', async () => {
    const mamoru = await Mamoru.open(loadConfig({ dataDir: dir }, {}));
    const boot = await mamoru.bootstrap({ demo: true });
    const actor = { id: 'test', role: 'admin' as const, orgId: boot!.orgId };
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const v = await mamoru.screen(actor, 'message', {
        kind: 'sms',
        sender: '+819012345678',
        text: `テスト ${i}`,
      });
      ids.push(v.id);
    }
    await mamoru.close();

    const clean = await runCli(['audit', 'verify', '--data-dir', dir]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, checked: 6, findings: [] });

    // Tamper directly in the database, as an insider with SQL access would.
    const db = new PGlite(join(dir, 'pglite'));
    await db.query(`update decisions set action = 'block', score = 42 where id = $1`, [ids[1]]);
    await db.query(`delete from decisions where id = $1`, [ids[3]]);
    await db.close();

    const tampered = await runCli(['audit', 'verify', '--data-dir', dir]);
    expect(tampered.code).toBe(3);
    const report = JSON.parse(tampered.stdout) as {
      ok: boolean;
      findings: { kind: string; id?: string; seq: number }[];
    };
    expect(report.ok).toBe(false);
    const kinds = report.findings.map((f) => f.kind);
    expect(kinds).toContain('edited');
    expect(kinds).toContain('deleted');
    expect(report.findings.find((f) => f.kind === 'edited')?.id).toBe(ids[1]);
    expect(tampered.stderr).toContain('tampering');
  }, 180_000);
});

interface Report {
  ok: boolean;
  checked: number;
  head: { seq: number; hash: string };
  checkpoint?: { signature: string; seq?: number };
  findings: { kind: string; seq?: number; id?: string; caseId?: string; message: string }[];
}

/** A data folder with `n` decisions, the first `cases` of them with a case open. */
async function loggedDecisions(n: number, cases: number): Promise<{ dir: string; ids: string[] }> {
  const data = await mkdtemp(join(tmpdir(), 'mamoru-checkpoint-'));
  const mamoru = await Mamoru.open(loadConfig({ dataDir: data }, {}));
  const boot = await mamoru.bootstrap({ demo: true });
  const actor = { id: 'test', role: 'admin' as const, orgId: boot!.orgId };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const verdict = await mamoru.screen(actor, 'message', {
      kind: 'sms',
      sender: '+819012345678',
      text: `テスト ${i}`,
    });
    // As if the verdict had sent the message to review.
    if (i < cases) expect(await mamoru.cases.openFromVerdict({ ...verdict, action: 'review' })).toBeDefined();
    ids.push(verdict.id);
  }
  await mamoru.close();
  return { dir: data, ids };
}

const verify = async (data: string, ...more: string[]) => {
  const run = await runCli(['audit', 'verify', '--data-dir', data, ...more]);
  return { ...run, report: (run.stdout ? JSON.parse(run.stdout) : undefined) as Report };
};

// Each command opens the embedded database (seconds): the CLI tests run few commands, the cases are in process below.
describe('mamoru audit checkpoint, then verify --against it', () => {
  it('finds a log emptied with its head, and cases whose decision is gone; names a changed checkpoint', async () => {
    const { dir: data, ids } = await loggedDecisions(5, 2);
    try {
      const out = join(data, 'outside', 'checkpoint.json');
      const made = await runCli(['audit', 'checkpoint', '--data-dir', data, '--out', out]);
      expect(made.code, made.stderr).toBe(0);
      const checkpoint = JSON.parse(await readFile(out, 'utf8')) as { seq: number; key: string };
      expect(checkpoint.seq).toBe(5);
      // The signing key lives in the data folder, readable by its owner only; the database never holds it.
      expect((await stat(join(data, 'checkpoint.key'))).mode & 0o777).toBe(0o600);
      const key = await runCli(['audit', 'public-key', '--data-dir', data]);
      expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(key.stderr).toContain(checkpoint.key);
      const pub = join(data, 'outside', 'checkpoint.pub');
      await writeFile(pub, key.stdout);

      const clean = await verify(data, '--against', out);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.report).toMatchObject({
        ok: true,
        checked: 5,
        checkpoint: { signature: 'valid', seq: 5 },
      });

      // An insider empties the log and its head, and the key file too: the verifier kept the checkpoint and
      // the public key.
      const db = new PGlite(join(data, 'pglite'));
      await db.query('delete from decisions');
      await db.query('delete from decision_chain');
      await db.close();
      await rm(join(data, 'checkpoint.key'));
      const against = await verify(data, '--against', out, '--public-key', pub);
      expect(against.code).toBe(3);
      expect(against.report.findings.map((f) => [f.kind, f.seq ?? f.id])).toEqual([
        ['truncated', 5],
        ['case_without_decision', ids[0]],
        ['case_without_decision', ids[1]],
      ]);
      expect(against.stderr).toContain('tampering');

      const tampered = join(data, 'outside', 'tampered.json');
      await writeFile(tampered, JSON.stringify({ ...checkpoint, seq: 0 }));
      const changed = await verify(data, '--against', tampered, '--public-key', pub);
      expect(changed.code).toBe(3);
      expect(changed.report.checkpoint?.signature).toBe('invalid');
      expect(changed.report.findings.map((f) => f.kind)).toEqual([
        'checkpoint_signature',
        'case_without_decision',
        'case_without_decision',
      ]);
      expect(changed.report.findings[0]?.message).toMatch(/changed after it was signed/);
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('mamoru serve with MAMORU_CHECKPOINT_FILE', () => {
  it('writes a signed checkpoint of the log at start', async () => {
    const { dir: data, ids } = await loggedDecisions(2, 0);
    const file = join(data, 'shipped', 'checkpoint.json');
    const server = spawn(process.execPath, ['src/cli/main.ts', 'serve', '--data-dir', data, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', MAMORU_CHECKPOINT_FILE: file },
      stdio: 'ignore',
    });
    try {
      let text: string | undefined;
      for (let i = 0; i < 150 && text === undefined; i++) {
        text = await readFile(file, 'utf8').catch(() => undefined);
        if (text === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      const parsed = parseCheckpoint(text ?? '');
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.checkpoint.seq).toBe(2);
      const publicKey = await loadPublicKey(join(data, 'checkpoint.key'));
      expect(checkpointSignatureProblem(parsed.checkpoint, publicKey)).toBeUndefined();
      expect(ids).toHaveLength(2);
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      await rm(data, { recursive: true, force: true });
    }
  }, 180_000);
});
