import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isMamoruError, newId, type Verdict } from '../core/index.ts';
import { loadSigningKey } from '../store/checkpoint-key.ts';
import { CheckpointWriter } from '../store/checkpoint-writer.ts';
import { checkpointSignatureProblem, keyId, parseCheckpoint } from '../store/decision-checkpoint.ts';
import { openStore, type Store } from '../store/index.ts';
import { auditCheckpoint, auditPublicKey, auditVerify } from './audit-run.ts';

/** `mamoru audit …` in process (the CLI test runs the commands themselves): checkpoints, keys, the serve loop's writer. */

let store: Store;
let dir: string;
let org: string;
/** The operator's key source: checkpoint.key in a data folder. */
let keys: { checkpointKey: string; dataDir: string };

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  org = (await store.orgs.create({ name: 'audited' })).id;
  dir = await mkdtemp(join(tmpdir(), 'mamoru-audit-run-'));
  keys = { checkpointKey: '', dataDir: join(dir, 'data') };
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await sql`delete from decisions`.execute(store.db);
  await sql`delete from decision_chain`.execute(store.db);
});

let clock = Date.parse('2026-04-01T09:00:00.000Z');
function verdict(): Verdict {
  clock += 1;
  return {
    id: newId('dec'),
    orgId: org,
    channel: 'message',
    eventId: newId('evt'),
    action: 'allow',
    score: 1,
    hits: [],
    outcomes: [],
    reasons: [],
    summary: { ja: '許可', en: 'allow' },
    indicators: [],
    policy: { id: 'default', version: 1 },
    timings: { pre: 0, detect: 0, post: 0, observe: 0, total: 0 },
    createdAt: new Date(clock).toISOString(),
  };
}
const fill = (n: number) =>
  store.decisions.appendMany(Array.from({ length: n }, () => ({ verdict: verdict(), event: {} })));

async function checkpointFile(name: string, source = keys, since?: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(await auditCheckpoint(store, source, since ? { since } : {})));
  return file;
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('audit verify --against', () => {
  it('is ok against a checkpoint of this log, and finds its tail rewritten', async () => {
    await fill(8);
    const file = await checkpointFile('ok.json');
    expect(await auditVerify(store, keys, { against: file })).toMatchObject({
      ok: true,
      checked: 8,
      checkpoint: { signature: 'valid', seq: 8 },
      findings: [],
    });
    await sql`update decisions set score = 0 where seq = 8`.execute(store.db);
    const report = await auditVerify(store, keys, { against: file });
    expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([['edited', 8]]);
    // The same row rewritten with a hash of its new content, and the head with it: only the checkpoint shows it.
    await sql`update decisions set hash = ${'e'.repeat(64)} where seq = 8`.execute(store.db);
    await sql`update decision_chain set last_hash = ${'e'.repeat(64)}`.execute(store.db);
    const rewritten = await auditVerify(store, keys, { against: file });
    expect(rewritten.findings.map((f) => f.kind)).toContain('rewritten');
  });

  it('names a checkpoint signed by another key, a file that is not a checkpoint, and a missing file', async () => {
    await fill(2);
    const foreign = await checkpointFile('foreign.json', {
      checkpointKey: '',
      dataDir: join(dir, 'elsewhere'),
    });
    const own = await auditPublicKey(keys);
    const signed = await auditVerify(store, keys, { against: foreign });
    expect(signed.ok).toBe(false);
    expect(signed.checkpoint?.signature).toBe('invalid');
    expect(signed.findings[0]).toMatchObject({ kind: 'checkpoint_signature' });
    expect(signed.findings[0]?.message).toContain(`not by the trusted key ${own.key}`);

    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, '{"type":"mamoru.decision-log.checkpoint","seq":"many"}');
    const malformed = await auditVerify(store, keys, { against: garbage });
    expect(malformed.checkpoint?.signature).toBe('malformed');
    expect(malformed.findings.map((f) => f.kind)).toEqual(['checkpoint_invalid']);
    expect(malformed.findings[0]?.message).toMatch(/seq: must be a whole number/);

    const missing = await errorOf(auditVerify(store, keys, { against: join(dir, 'nowhere.json') }));
    expect(isMamoruError(missing) && missing.issues[0]?.path).toBe('--against');
  });

  it('asks for --public-key where no key is configured, and takes one', async () => {
    await fill(2);
    const file = await checkpointFile('for-keyless.json');
    const keyless = { checkpointKey: '', dataDir: join(dir, 'no-key-here') };
    const error = await errorOf(auditVerify(store, keyless, { against: file }));
    expect(isMamoruError(error) && error.issues[0]?.path).toBe('--public-key');
    const pub = join(dir, 'operator.pub');
    await writeFile(pub, (await auditPublicKey(keys)).publicKey);
    expect((await auditVerify(store, keyless, { against: file, publicKey: pub })).ok).toBe(true);
    const notAKey = await errorOf(auditVerify(store, keyless, { against: file, publicKey: file }));
    expect(isMamoruError(notAKey) && notAKey.code).toBe('validation_failed');
  });
});

describe('audit checkpoint', () => {
  it('signs no checkpoint over a log with findings; --since takes only this key’s checkpoints', async () => {
    await fill(4);
    const first = await checkpointFile('first.json');
    await fill(3);
    const next = JSON.parse(await readFile(await checkpointFile('next.json', keys, first), 'utf8'));
    expect(next.seq).toBe(7);
    const foreign = await checkpointFile('foreign-since.json', {
      checkpointKey: '',
      dataDir: join(dir, 'elsewhere'),
    });
    const refusedSince = await errorOf(auditCheckpoint(store, keys, { since: foreign }));
    expect(isMamoruError(refusedSince) && refusedSince.issues[0]?.path).toBe('--since');

    await sql`delete from decisions where seq = 6`.execute(store.db);
    const refused = await errorOf(auditCheckpoint(store, keys, {}));
    expect(isMamoruError(refused) && refused.code).toBe('conflict');
    expect(isMamoruError(refused) && refused.issues).toEqual([
      { path: 'deleted 6', message: 'decision 6 is missing' },
    ]);
  });
});

describe('the checkpoint signing key', () => {
  it('comes from MAMORU_CHECKPOINT_KEY as PEM text or a file, and a configured file is never created', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const fromText = await loadSigningKey({ checkpointKey: pem, dataDir: 'unused' }, true);
    const file = join(dir, 'configured.pem');
    await writeFile(file, pem, { mode: 0o600 });
    expect(keyId(await loadSigningKey({ checkpointKey: file, dataDir: 'unused' }, true))).toBe(
      keyId(fromText),
    );
    const missing = await errorOf(
      loadSigningKey({ checkpointKey: join(dir, 'absent.pem'), dataDir: dir }, true),
    );
    expect(isMamoruError(missing) && missing.message).toMatch(/MAMORU_CHECKPOINT_KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const wrong = await errorOf(loadSigningKey({ checkpointKey: rsa as string, dataDir: dir }, true));
    expect(isMamoruError(wrong) && wrong.message).toMatch(/not an Ed25519 key/);
    // The data folder's key is created once, then the same.
    const a = await loadSigningKey({ checkpointKey: '', dataDir: join(dir, 'once') }, true);
    const b = await loadSigningKey({ checkpointKey: '', dataDir: join(dir, 'once') }, false);
    expect(b && keyId(b)).toBe(keyId(a));
  });
});

describe('the serve loop’s checkpoint writer', () => {
  const logged: { level: string; message: string; problem?: unknown }[] = [];
  const logger = {
    info: (data: object, message: string) => logged.push({ level: 'info', message, ...data }),
    error: (data: object, message: string) => logged.push({ level: 'error', message, ...data }),
  };
  const writer = async (file: string) => {
    const w = new CheckpointWriter({
      store,
      key: await loadSigningKey(keys, true),
      file,
      intervalMs: 3_600_000,
      logger,
    });
    w.start();
    await w.settled();
    await w.stop();
  };

  it('writes a checkpoint once the log verifies, and never overwrites one it cannot trust', async () => {
    await fill(3);
    const file = join(dir, 'serve', 'checkpoint.json');
    await writer(file);
    const first = parseCheckpoint(await readFile(file, 'utf8'));
    expect(first.ok && first.checkpoint.seq).toBe(3);
    const key = await loadSigningKey(keys, true);
    expect(first.ok && checkpointSignatureProblem(first.checkpoint, key)).toBeUndefined();

    // Restarted: it starts after the checkpoint in the file and moves it on.
    await fill(2);
    await writer(file);
    const second = parseCheckpoint(await readFile(file, 'utf8'));
    expect(second.ok && second.checkpoint.seq).toBe(5);

    // The log emptied since: the file stays as it was, the evidence.
    const kept = await readFile(file, 'utf8');
    await sql`delete from decisions`.execute(store.db);
    await sql`delete from decision_chain`.execute(store.db);
    logged.length = 0;
    await writer(file);
    expect(await readFile(file, 'utf8')).toBe(kept);
    expect(logged.map((l) => [l.level, l.message])).toEqual([
      ['error', 'decision log checkpoint not written'],
    ]);

    // A file changed by someone else is not replaced either.
    await writeFile(file, kept.replace('"seq": 5', '"seq": 4'));
    logged.length = 0;
    await writer(file);
    expect(await readFile(file, 'utf8')).toBe(kept.replace('"seq": 5', '"seq": 4'));
    expect(logged[0]?.problem).toMatch(/changed after it was signed/);
  });
});
