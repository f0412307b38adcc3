import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Verdict } from '../../src/core/index.ts';
import { signCheckpoint } from '../../src/store/decision-checkpoint.ts';
import type { Store } from '../../src/store/index.ts';
import { ES_NUMBER_VECTORS, iJsonValue, JCS_KEY_ORDER } from '../helpers/jcs-vectors.ts';
import { storeBackends } from '../helpers/stores.ts';

/**
 * scripts/verify-decision-log.py (X1, issue 8 item 9): anyone can verify the
 * decision log with Python's standard library alone, from what PostgreSQL
 * exports (`row_to_json`) or what the API lists. Run here with python3
 * against logs this test writes, on every backend; and its RFC 8785 writer
 * against the `canonicalize` package on generated values.
 */

const SCRIPT = 'scripts/verify-decision-log.py';

/** The double whose IEEE 754 bits are `bits` (hex). */
const double = (bits: string) => new DataView(new BigUint64Array([BigInt(bits)]).buffer).getFloat64(0, true);

interface ExportedRow {
  seq: number;
  prev_hash: string;
  verdict: { summary: { ja: string } };
}

function python(args: readonly string[], input?: string) {
  const run = spawnSync('python3', [SCRIPT, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  const lines = run.stdout.trim().split('\n');
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    findings: lines.slice(0, -1),
    summary: JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>,
  };
}

describe('the script writes RFC 8785 as canonicalize does', () => {
  it('property: the same JCS text for any I-JSON value', () => {
    const values = fc.sample(iJsonValue, { numRuns: 2000, seed: 8 });
    const run = python(['--jcs'], values.map((v) => `${JSON.stringify(v)}\n`).join(''));
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').slice(0, -1)).toEqual(values.map((v) => canonicalize(v)));
  });

  it('writes the RFC 8785 numbers and key order', () => {
    const numbers = ES_NUMBER_VECTORS.map(([bits]) => double(bits));
    const keys = Object.fromEntries(JCS_KEY_ORDER.toReversed().map((k) => [k, k]));
    const run = python(['--jcs'], `${JSON.stringify(numbers)}\n${JSON.stringify(keys)}\n`);
    const [n, k] = run.stdout.split('\n');
    expect(n).toBe(`[${ES_NUMBER_VECTORS.map(([, text]) => text).join(',')}]`);
    expect(k).toBe(canonicalize(keys));
  });
});

describe('the script on odd inputs (found by H8)', () => {
  it('answers 2 with a message naming what is wrong, never a traceback nor ok for nothing', () => {
    const cases: [string, string][] = [
      ['', 'no decision'],
      ['{"items":[]}\n', 'no decision'],
      ['not json\n', 'Expecting value'],
      [`${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'nested'],
      ['{"seq":1,"verdict":"x","hash":"ab"}\n', 'verdict'],
      ['{"seq":1,"verdict":{},"hash":"ab"}\n', 'id'],
      [
        '{"seq":"x","verdict":{"id":"d","orgId":"o","channel":"c","eventId":"e","action":"allow","score":0,"createdAt":"2026-03-02T09:00:00.000Z"},"hash":"ab"}\n',
        'seq',
      ],
    ];
    for (const [input, says] of cases) {
      const run = spawnSync('python3', [SCRIPT], { input, encoding: 'utf8', timeout: 60_000 });
      expect([run.status, run.stdout], input.slice(0, 40)).toEqual([2, '']);
      expect(run.stderr).toMatch(/^読み込めません \/ cannot read the input: /);
      expect(run.stderr).not.toContain('Traceback');
      expect(run.stderr, input.slice(0, 40)).toContain(says);
    }
  });
});

let clock = Date.parse('2026-03-02T09:00:00.000Z');

/** A verdict with what a JCS writer can get wrong: non-ASCII, surrogate pairs, keys that sort apart, odd numbers. */
function verdict(orgId: string, n: number): Verdict {
  clock += 1;
  const numbers = ES_NUMBER_VECTORS.map(([bits]) => double(bits));
  return {
    id: newId('dec'),
    orgId,
    channel: n % 2 === 0 ? 'message' : 'transfer',
    eventId: `evt-${n}`,
    action: n % 3 === 0 ? 'block' : 'allow',
    score: n / 3,
    hits: [
      {
        signal: 'MSG_LURE',
        group: 'lure',
        detector: 'message.lure',
        factor: 0.1 * n,
        weight: 2.5,
        score: 0.25 * n,
        evidence: ['当選😀', 'tab\there', 'quote " back \\ nul-free \u0001', 'דּ dalet'],
      },
    ],
    outcomes: [],
    reasons: [{ signal: 'MSG_LURE', ja: '詐欺の誘い文句', en: 'Fraud lure' }],
    summary: { ja: `判定 ${n}`, en: `Verdict ${n}` },
    indicators: [],
    policy: { id: 'default', version: 1 },
    timings: { pre: 0.1, detect: 0.2, post: 0.01, observe: 0, total: 1e-7 * n },
    createdAt: new Date(clock).toISOString(),
    ...{ extra: Object.fromEntries(JCS_KEY_ORDER.map((k, i) => [k, numbers[(i + n) % numbers.length]])) },
  } as Verdict;
}

const event = (n: number) => ({
  text: `こんにちは ${n} \ud83d\ude00`,
  from: '+819012345678',
  // An unpaired surrogate: the log stores U+FFFD in its place, and hashes what it stores.
  odd: n === 4 ? 'lone \ud800 surrogate' : null,
  meta: { z: -0, a: [1.5, 1e21, 5e-324, null, true], é: { '': [] } },
});

for (const backend of storeBackends()) {
  describe(`scripts/verify-decision-log.py on ${backend.name}`, () => {
    let store: Store;
    let orgA: string;
    let orgB: string;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'mamoru-verify-'));
      store = await backend.open();
      orgA = (await store.orgs.create({ name: 'A' })).id;
      orgB = (await store.orgs.create({ name: 'B' })).id;
      // Seqs 1–6 are org A's alone; then A and B take turns.
      for (let n = 1; n <= 6; n++) await store.decisions.append(verdict(orgA, n), event(n));
      await store.decisions.appendMany(
        Array.from({ length: 10 }, (_, i) => ({
          verdict: verdict(i % 2 === 0 ? orgA : orgB, 7 + i),
          event: event(7 + i),
        })),
      );
    });
    afterAll(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** What `psql -Atc "SELECT row_to_json(d) FROM decisions d ORDER BY seq"` prints. */
    async function databaseExport(): Promise<string[]> {
      const { rows } = await sql<{ row: string }>`
        SELECT row_to_json(d)::text AS row FROM decisions d ORDER BY seq`.execute(store.db);
      return rows.map((r) => r.row);
    }
    const save = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('verifies every row and link of a database export', async () => {
      const rows = await databaseExport();
      expect(rows).toHaveLength(16);
      const run = python([save('all.jsonl', `${rows.join('\n')}\n`)]);
      expect(run.findings).toEqual([]);
      expect(run.summary).toMatchObject({ ok: true, decisions: 16, checked: 16, unchecked: 0, last: 16 });
      expect(run.status).toBe(0);
    });

    it('verifies the pages the API lists, newest first: each decision on its own with its prevHash', async () => {
      const page = { items: await store.decisions.list(orgA, { limit: 500 }), nextCursor: null };
      const run = python([save('pages.json', JSON.stringify(page, null, 2))]);
      expect(run.findings).toEqual([]);
      // Org B's seqs are missing in between: expected, and every one of org A's decisions is still checked.
      expect(run.summary).toMatchObject({ ok: true, decisions: 11, checked: 11, unchecked: 0 });
      expect(run.status).toBe(0);
      // An edited decision in the pages is named, though its neighbours belong to another organisation.
      const edited = structuredClone(page);
      const last = edited.items.at(-1) as { verdict: { score: number } };
      last.verdict.score += 1;
      const bad = python([save('edited-pages.json', JSON.stringify(edited))]);
      expect(bad.status).not.toBe(0);
      expect(bad.findings.join('\n')).toMatch(/edited/);
    });

    it('verifies pages without prevHash (servers before issue 8) where the previous decision is listed too', async () => {
      const items = (await store.decisions.list(orgA, { limit: 500 })).map(
        ({ prevHash: _, ...rest }) => rest,
      );
      const run = python([save('old-pages.json', JSON.stringify({ items, nextCursor: null }))]);
      expect(run.findings).toEqual([]);
      // Seqs 1–7 chain from the genesis; after that org B's seqs are missing, so 9, 11, … stand alone.
      expect(run.summary).toMatchObject({ ok: true, decisions: 11, checked: 7, unchecked: 4 });
    });

    it('fails on an edited, a deleted or a relinked row, naming it', async () => {
      const rows = (await databaseExport()).map((r) => JSON.parse(r) as ExportedRow);
      const edited = structuredClone(rows);
      edited[4]!.verdict.summary.ja = '改ざん';
      const deleted = rows.filter((r) => r.seq !== 9);
      const relinked = structuredClone(rows);
      relinked[11]!.prev_hash = 'f'.repeat(64);
      const lines = (list: unknown[]) => `${list.map((r) => JSON.stringify(r)).join('\n')}\n`;
      const a = python([save('edited.jsonl', lines(edited))]);
      expect([a.status, a.findings]).toEqual([1, ['edited: seq 5: its hash does not match its content']]);
      const b = python([save('deleted.jsonl', lines(deleted))]);
      expect([b.status, b.findings]).toEqual([1, ['deleted: seq 9 is missing']]);
      const c = python([save('relinked.jsonl', lines(relinked))]);
      expect(c.status).toBe(1);
      expect(c.findings).toEqual([
        'broken_link: seq 12: prev_hash is not the hash of seq 11',
        'edited: seq 12: its hash does not match its content',
      ]);
    });

    it('finds a row edited in the database, as mamoru audit verify does', async () => {
      const before = await databaseExport();
      await sql`UPDATE decisions SET event = jsonb_set(event, '{from}', '"+819000000000"') WHERE seq = 3`.execute(
        store.db,
      );
      try {
        const run = python([save('sql-edited.jsonl', `${(await databaseExport()).join('\n')}\n`)]);
        expect([run.status, run.findings]).toEqual([
          1,
          ['edited: seq 3: its hash does not match its content'],
        ]);
        const audit = await store.decisions.verify();
        expect(audit.findings.map((f) => [f.kind, f.seq])).toEqual([['edited', 3]]);
      } finally {
        const original = JSON.parse(before[2]!) as { event: unknown };
        await sql`UPDATE decisions SET event = ${JSON.stringify(original.event)}::jsonb WHERE seq = 3`.execute(
          store.db,
        );
      }
      expect((await store.decisions.verify()).ok).toBe(true);
    });

    it('checks a signed checkpoint: its head is in the log, and OpenSSL verifies the signed text', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const report = await store.decisions.verify();
      const checkpoint = signCheckpoint(privateKey, { log: report.log!, ...report.head });
      const rows = save('cp-rows.jsonl', `${(await databaseExport()).join('\n')}\n`);
      const signed = join(dir, 'signed.txt');
      const run = python([
        '--checkpoint',
        save('cp.json', JSON.stringify(checkpoint)),
        '--signed-text',
        signed,
        rows,
      ]);
      expect([run.status, run.findings]).toEqual([0, []]);
      const pem = save('pub.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString());
      const openssl = (text: string) =>
        spawnSync(
          'openssl',
          ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-in', text, '-sigfile', `${signed}.sig`],
          { encoding: 'utf8' },
        );
      const good = openssl(signed);
      expect([good.status, good.stdout.trim()]).toEqual([0, 'Signature Verified Successfully']);
      const changed = save('changed.txt', readFileSync(signed, 'utf8').replace(/"seq":\d+/, '"seq":1'));
      expect(openssl(changed).status).not.toBe(0);

      const forged = { ...checkpoint, hash: 'a'.repeat(64) };
      const bad = python(['--checkpoint', save('forged.json', JSON.stringify(forged)), rows]);
      expect([bad.status, bad.findings]).toEqual([
        1,
        ["checkpoint: seq 16 has another hash than the checkpoint's"],
      ]);
    });
  });
}
