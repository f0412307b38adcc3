/**
 * Should the decision log keep its verdict and event as `jsonb`, or as
 * `json` (stored as text, only checked)? (issue 8, item 10, docs/performance.md)
 * PostgreSQL's CPU per row of the log's own insert, `jsonb` (as the log
 * writes it: one jsonb array parameter, `jsonb_array_elements`) against
 * `json` (`json_to_recordset`: `->` on `json` parses the element again for
 * each field, which costs three times more), on scratch tables shaped like
 * `decisions` (same columns and indexes, LZ4), interleaved, each batch of
 * `BATCH` rows of a 2.2 kB message verdict as group commit writes them.
 *
 *   DATABASE_URL=postgres://… node bench/log-column-types.ts
 *
 * The backend's CPU is read from /proc (the server must be on this machine).
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';

const BATCH = 16;
const STATEMENTS = 600;
const ROUNDS = 3;

const VERDICT = JSON.stringify({
  action: 'block',
  channel: 'message',
  createdAt: '2026-12-06T05:05:04.674Z',
  eventId: 'evt_06h4kfeam8001mgdwhvk8w73zr',
  hits: [
    {
      detector: 'intel.match',
      evidence: [
        'url=https://amazon-co-jp.account-verify.example/login',
        'field=text',
        'verdict=malicious confidence=95 source=demo scope=org id=ind_06h4kfeak000039435zcag4sr4',
      ],
      factor: 0.95,
      group: 'intel',
      params: {
        confidence: 95,
        source: 'demo',
        value: 'https://amazon-co-jp.account-verify.example/login',
        verdict: 'malicious',
        verdictJa: '悪性',
      },
      score: 8.55,
      signal: 'INTEL_MATCH_URL',
      weight: 9,
    },
    {
      detector: 'intel.match',
      evidence: [
        'domain=account-verify.example',
        'field=text',
        'verdict=malicious confidence=90 source=demo scope=org id=ind_06h4kfeakc001f8wgh20te938m',
      ],
      factor: 0.9,
      group: 'intel',
      params: {
        confidence: 90,
        source: 'demo',
        value: 'account-verify.example',
        verdict: 'malicious',
        verdictJa: '悪性',
      },
      score: 5.4,
      signal: 'INTEL_MATCH_DOMAIN',
      weight: 6,
    },
  ],
  id: 'dec_06h4kfeanc00167hvekt85p8c8',
  indicators: [
    { field: 'sender', type: 'phone', value: '+819012345678' },
    { field: 'text', type: 'url', value: 'https://amazon-co-jp.account-verify.example/login' },
    { field: 'text', type: 'domain', value: 'account-verify.example' },
  ],
  orgId: 'org_06h4kfeaj0000xmhmny4a0r4d8',
  outcomes: [
    { detector: 'intel.lookup', hits: 2, ms: 2.662, outcome: 'ok', stage: 'pre' },
    { detector: 'intel.match', hits: 2, ms: 0.198, outcome: 'ok', stage: 'detect' },
  ],
  policy: { id: 'message.default', version: 0 },
  reasons: [
    {
      en: 'The URL https://amazon-co-jp.account-verify.example/login is listed as phishing or fraud (malicious, confidence 95, source: demo)',
      ja: 'フィッシング等として登録された URL（https://amazon-co-jp.account-verify.example/login）です（悪性、確信度 95、情報源: demo）',
      signal: 'INTEL_MATCH_URL',
    },
    {
      en: 'The domain account-verify.example is listed as phishing or fraud (malicious, confidence 90, source: demo)',
      ja: 'フィッシング等として登録されたドメイン（account-verify.example）です（悪性、確信度 90、情報源: demo）',
      signal: 'INTEL_MATCH_DOMAIN',
    },
  ],
  score: 13.95,
  summary: {
    en: 'Verdict: block (score 13.95, 2 reasons): URL matches threat intelligence',
    ja: '判定: 拒否（スコア 13.95、理由 2 件）：脅威情報に登録された URL に一致',
  },
  timings: { detect: 0.397, observe: 0, post: 0.577, pre: 5.328, total: 6.302 },
});
const EVENT = JSON.stringify({
  kind: 'sms',
  sender: '+819012345678',
  text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
});

const COLUMNS =
  'seq, id, org_id, channel, event_id, action, score, verdict, event, created_at, prev_hash, hash';

function insertSql(type: 'json' | 'jsonb'): string {
  if (type === 'jsonb')
    return `insert into mamoru_bench_log_column_types (${COLUMNS})
      select (e->>'seq')::bigint, e->>'id', e->>'org_id', e->>'channel', e->>'event_id', e->>'action',
        (e->>'score')::double precision, e->'verdict', e->'event', (e->>'created_at')::timestamptz,
        e->>'prev_hash', e->>'hash'
      from jsonb_array_elements($1::jsonb) as e`;
  return `insert into mamoru_bench_log_column_types (${COLUMNS})
    select ${COLUMNS} from json_to_recordset($1::json) as e(seq bigint, id text, org_id text, channel text,
      event_id text, action text, score double precision, verdict json, event json, created_at timestamptz,
      prev_hash text, hash text)`;
}

async function backendCpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** PostgreSQL CPU µs per row inserted into a fresh table whose verdict and event are `type`. */
async function measure(client: pg.Client, type: 'json' | 'jsonb'): Promise<number> {
  await client.query(`drop table if exists mamoru_bench_log_column_types;
    create table mamoru_bench_log_column_types (seq bigint primary key, id text not null unique, org_id text not null,
      channel text not null, event_id text not null, action text not null, score double precision not null,
      verdict ${type} not null, event ${type} not null, created_at timestamptz not null,
      prev_hash text not null, hash text not null);
    alter table mamoru_bench_log_column_types alter column verdict set compression lz4;
    alter table mamoru_bench_log_column_types alter column event set compression lz4;
    create index on mamoru_bench_log_column_types (org_id, seq desc);
    create index on mamoru_bench_log_column_types (org_id, channel, seq desc)`);
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const pid = rows[0]!.pid;
  const text = insertSql(type);
  const before = await backendCpuMicros(pid);
  let seq = 0;
  for (let s = 0; s < STATEMENTS; s++) {
    const batch: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      seq++;
      batch.push(
        `{"seq":${seq},"id":"dec_${seq}","org_id":"org_1","channel":"message","event_id":"evt_${seq}",` +
          `"action":"block","score":13.95,"verdict":${VERDICT},"event":${EVENT},` +
          `"created_at":"2026-12-06T05:05:04.674Z","prev_hash":"${'0'.repeat(64)}","hash":"${'1'.repeat(64)}"}`,
      );
    }
    await client.query(text, [`[${batch.join(',')}]`]);
  }
  return ((await backendCpuMicros(pid)) - before) / (STATEMENTS * BATCH);
}

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench/log-column-types.ts needs DATABASE_URL');
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const results: Record<'json' | 'jsonb', number[]> = { json: [], jsonb: [] };
  for (let round = 0; round < ROUNDS; round++)
    for (const type of ['jsonb', 'json'] as const) results[type].push(await measure(client, type));
  for (const [type, us] of Object.entries(results))
    process.stdout.write(`${type}: PostgreSQL CPU µs per row ${us.map((u) => u.toFixed(1)).join(', ')}\n`);
} finally {
  await client.query('drop table if exists mamoru_bench_log_column_types');
  await client.end();
}
