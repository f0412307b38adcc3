import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { ROOT, runCli } from './run-cli.ts';

/**
 * The README's second terminal: `mamoru serve` holds the embedded database
 * (PGlite in a fresh data folder) and the CLI works against it through its
 * API, found from `data/server.json` with the demo key, or named by
 * MAMORU_URL and MAMORU_API_KEY.
 */
let dir: string;
let server: ChildProcess;
let url: string;
let output = '';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** `mamoru …` with the data folder of the running server (so it is found there). */
const cli = (args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}) =>
  runCli([...args, '--data-dir', dir], options);

const SMS = JSON.stringify({
  kind: 'sms',
  sender: '+81300000000',
  text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
});

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'mamoru-client-')), 'data');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), MAMORU_DATA_DIR: dir, LOG_LEVEL: 'warn' },
  });
  server.stdout?.on('data', (d) => {
    output += d;
  });
  server.stderr?.on('data', (d) => {
    output += d;
  });
  const until = Date.now() + 90_000;
  while (Date.now() < until && server.exitCode === null) {
    if (await exists(join(dir, 'server.json'))) {
      try {
        if ((await fetch(`${url}/readyz`)).ok) return;
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not start:\n${output}`);
});
afterAll(async () => {
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  await rm(dirname(dir), { recursive: true, force: true });
});

describe('the CLI while the server runs', () => {
  it('finds the server from data/server.json (owner-only) and uses the demo key', async () => {
    const record = JSON.parse(await readFile(join(dir, 'server.json'), 'utf8'));
    expect(record).toMatchObject({ url, pid: server.pid });
    const me = await cli(['whoami']);
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toContain(url);
    expect(me.stdout).toMatch(/key_\w+ \(admin\)/);
    expect(me.stdout).toContain('[operator]');
  });

  it('stores a policy layer, screens through the API and works the case it opened', async () => {
    // The default warns or blocks and has no review threshold: without a block threshold and with a
    // review threshold at the default's block score, the phishing SMS (score 8 and above) goes to a person.
    const layer = join(dirname(dir), 'layer.json');
    await writeFile(layer, JSON.stringify({ thresholds: { block: null, review: 8 } }));
    const set = await cli(['policy', 'set', 'message', layer, '--comment', 'review instead of block']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ channel: 'message', version: 1 });
    const versions = await cli(['policy', 'versions', 'message']);
    expect(versions.stdout).toMatch(/^1\s+.*review instead of block$/m);

    // `policy show` output goes back to `policy set` as it is.
    const shown = await cli(['policy', 'show', 'message']);
    const again = join(dirname(dir), 'shown.json');
    await writeFile(again, shown.stdout);
    const roundTrip = await cli(['policy', 'set', 'message', again]);
    expect(roundTrip.code, roundTrip.stderr).toBe(0);
    expect(JSON.parse(roundTrip.stdout)).toMatchObject({ version: 2 });

    const screened = await cli(['screen', 'message'], { input: SMS });
    expect(screened.code, screened.stderr).toBe(12);
    const verdict = JSON.parse(screened.stdout) as { id: string; action: string };
    expect(verdict.action).toBe('review');

    const list = await cli(['cases', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const [header, rule, row] = list.stdout.split('\n');
    expect(header).toMatch(/^id\s+status\s+action\s+channel/);
    expect(rule).toMatch(/^-+ +-+/);
    expect(row).toMatch(/^case_\w+\s+open\s+review\s+message/);
    const json = await cli(['cases', 'list', '--json']);
    const page = JSON.parse(json.stdout) as { items: { id: string; decisionId: string }[]; nextCursor: null };
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBeNull();
    const caseId = page.items[0]?.id ?? '';
    expect(page.items[0]?.decisionId).toBe(verdict.id);

    const assigned = await cli(['cases', 'assign', caseId, 'hanako']);
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(JSON.parse(assigned.stdout)).toMatchObject({ status: 'in_review', assignee: 'hanako' });
    const comment = await cli(['cases', 'comment', caseId, '送信元に確認中 / checking with the sender']);
    expect(comment.code, comment.stderr).toBe(0);
    const show = await cli(['cases', 'show', caseId]);
    const detail = JSON.parse(show.stdout) as { history: { type: string }[] };
    expect(detail.history.map((h) => h.type)).toEqual(expect.arrayContaining(['assigned', 'commented']));
    const resolved = await cli([
      'cases',
      'resolve',
      caseId,
      '--resolution',
      'denied',
      '--reason',
      'フィッシング / phishing',
    ]);
    expect(resolved.code, resolved.stderr).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({ status: 'resolved', resolution: 'denied' });
    // For a clerk: the summary, the reasons and the case that now waits on a person.
    const text = await cli(['screen', 'message', '--format', 'text'], { input: SMS });
    expect(text.code).toBe(12);
    expect(text.stdout).toMatch(/^判定: 審査/);
    expect(text.stdout).toMatch(/^- \[INTEL_MATCH_URL\] /m);
    expect(text.stdout).toMatch(/^案件 \/ case case_\w+ \(open\)/m);
  });

  it('pages the decision log with --limit and --cursor', async () => {
    const allowed = await cli(['screen', 'message'], {
      input: JSON.stringify({ kind: 'sms', sender: '+819012345678', text: '明日の会議は10時からです' }),
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    const first = await cli(['decisions', 'list', '--limit', '1']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n').filter((l) => /^\d+\s+dec_\w+\s.*\sallow\s/.test(l))).toHaveLength(1);
    const cursor = /--cursor (\S+)/.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const next = await cli(['decisions', 'list', '--limit', '1', '--cursor', cursor ?? '', '--json']);
    const page = JSON.parse(next.stdout) as {
      items: { seq: number; verdict: { action: string } }[];
      nextCursor: string | null;
    };
    expect(page.items.map((d) => d.verdict.action)).toEqual(['review']);
    expect(page.items[0]?.seq).toBeLessThan(Number(cursor));
  });

  it('imports through the API with exit 4 and the rejected lines, looks up with exit 5, adds and expires', async () => {
    const file = join(dirname(dir), 'intel.csv');
    await writeFile(
      file,
      [
        'type,value,verdict',
        'domain,evil-shop.example,malicious',
        'fax,123,malicious',
        'url,https://evil-shop.example/pay,suspicious',
      ].join('\n'),
    );
    const res = await cli(['intel', 'import', file]);
    expect(res.code, res.stderr).toBe(4);
    expect(res.stderr).toMatch(/uploading/);
    const result = JSON.parse(res.stdout) as { imported: number; rejected: number; importId: string };
    expect(result).toMatchObject({ imported: 2, rejected: 1 });
    const rejections = await cli(['imports', 'rejections', result.importId]);
    expect(rejections.stdout).toMatch(/^3\s+type\s+/m);

    const hit = await cli(['intel', 'lookup', 'domain', 'evil-shop.example']);
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stdout).toMatch(/evil-shop\.example\s+malicious/);
    const miss = await cli(['intel', 'lookup', 'domain', 'nothing-here.example']);
    expect(miss.code).toBe(5);

    const added = await cli([
      'intel',
      'add',
      'phone',
      '+81501234567',
      '--verdict',
      'suspicious',
      '--tag',
      'sms',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const indicator = JSON.parse(added.stdout) as { id: string; tags: string[]; expiresAt: string | null };
    expect(indicator).toMatchObject({ tags: ['sms'], expiresAt: null });
    const listed = await cli(['intel', 'list', '--type', 'phone', '--json']);
    expect((JSON.parse(listed.stdout).items as { id: string }[]).map((i) => i.id)).toContain(indicator.id);
    const expired = await cli(['intel', 'expire', indicator.id]);
    expect(expired.code, expired.stderr).toBe(0);
    expect(JSON.parse(expired.stdout).expiresAt).not.toBeNull();
  });

  it('shows the API’s 403 and 404 to a shop’s key, and 401 once the key is revoked', async () => {
    const created = await cli([
      'keys',
      'create',
      '--name',
      'shop 1',
      '--role',
      'agent',
      '--outlet',
      'shop:S1',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { key, token } = JSON.parse(created.stdout) as { key: { id: string }; token: string };
    const shop = { env: { MAMORU_URL: url, MAMORU_API_KEY: token } };

    const decisions = await runCli(['decisions', 'list'], shop);
    expect(decisions.code).toBe(1);
    expect(decisions.stderr).toMatch(/^mamoru: 403: /);
    expect(decisions.stdout).toBe('');
    const audit = await runCli(['audit', 'verify'], shop);
    expect(audit.code).toBe(1);
    expect(audit.stderr).toMatch(/^mamoru: 403: .*decisions:audit/);
    const cases = await runCli(['cases', 'list', '--json'], shop);
    expect(cases.code, cases.stderr).toBe(0);
    expect(JSON.parse(cases.stdout).items).toEqual([]);
    const other = await runCli(['cases', 'show', 'case_not_this_outlets'], shop);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^mamoru: 404: /);

    const keys = await cli(['keys', 'list']);
    expect(keys.stdout).toMatch(new RegExp(`^${key.id}\\s+shop 1\\s+agent\\s+shop:S1`, 'm'));
    const revoked = await cli(['keys', 'revoke', key.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = await runCli(['whoami'], shop);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^mamoru: 401: /);
  });

  it('names the field of bad input from the API’s problem, and says when the server cannot be reached', async () => {
    const bad = await cli(['screen', 'message'], { input: '{"kind":"fax"}' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^mamoru: 400: /);
    expect(bad.stderr).toMatch(/^ {2}body\.kind: /m);
    const noKey = await runCli(['cases', 'list'], { env: { MAMORU_URL: url } });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('MAMORU_API_KEY');
    const gone = await runCli(['cases', 'list'], {
      env: { MAMORU_URL: 'http://127.0.0.1:9', MAMORU_API_KEY: 'mk_x' },
    });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('cannot reach the Mamoru server at http://127.0.0.1:9');
  });

  it('keeps db migrate on the database, and audits the log through the server', async () => {
    const migrate = await cli(['db', 'migrate']);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('migrated the schema when it started');

    const audit = await cli(['audit', 'verify']);
    expect(audit.code, audit.stderr).toBe(0);
    const report = JSON.parse(audit.stdout) as { ok: boolean; checked: number; findings: unknown[] };
    expect(report).toMatchObject({ ok: true, findings: [] });
    expect(report.checked).toBeGreaterThan(0);

    const file = join(dirname(dir), 'checkpoint.json');
    const signed = await cli(['audit', 'checkpoint', '--out', file]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stderr).toContain(`→ ${file}`);
    const checkpoint = JSON.parse(await readFile(file, 'utf8')) as { seq: number; key: string };
    expect(checkpoint.seq).toBe(report.checked);
    const against = await cli(['audit', 'verify', '--against', file]);
    expect(against.code, against.stderr).toBe(0);
    expect(JSON.parse(against.stdout)).toMatchObject({
      ok: true,
      checkpoint: { file, signature: 'valid', seq: checkpoint.seq },
    });
    const key = await cli(['audit', 'public-key']);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stderr).toContain(`key id: ${checkpoint.key}`);
    expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);

    // A checkpoint changed after it was signed is a finding: exit 3, as on the database.
    const changed = join(dirname(dir), 'changed.json');
    await writeFile(changed, JSON.stringify({ ...checkpoint, seq: checkpoint.seq + 1 }));
    const tampered = await cli(['audit', 'verify', '--against', changed]);
    expect(tampered.code).toBe(3);
    expect(JSON.parse(tampered.stdout).findings).toEqual([
      expect.objectContaining({ kind: 'checkpoint_signature' }),
    ]);
    expect(tampered.stderr).toContain('decision log tampering found: 1 finding');
  });

  it('says how to reach a server it cannot find while the embedded database is held', async () => {
    // As with a server started before server.json existed: the lock is there, the record is not.
    await rename(join(dir, 'server.json'), join(dir, 'server.json.away'));
    try {
      const res = await cli(['cases', 'list']);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('in use');
      expect(res.stderr).toContain('set MAMORU_URL');
      expect(res.stderr).toMatch(/MAMORU_URL（例 http:\/\/127\.0\.0\.1:8787）と MAMORU_API_KEY/);
    } finally {
      await rename(join(dir, 'server.json.away'), join(dir, 'server.json'));
    }
  });

  it('after the server stops: server.json is gone and commands work on the database directly', async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    expect(await exists(join(dir, 'server.json'))).toBe(false);
    const me = await cli(['whoami']);
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toContain('database (pglite)');
    const list = await cli(['cases', 'list', '--status', 'resolved', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).items).toHaveLength(1);
    // A record left by a killed server (its pid gone) is not followed.
    await writeFile(
      join(dir, 'server.json'),
      JSON.stringify({ url: 'http://127.0.0.1:9', pid: 999_999_999 }),
    );
    const stale = await cli(['keys', 'list', '--json']);
    expect(stale.code, stale.stderr).toBe(0);
  });
});
