import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { MamoruError } from '../core/index.ts';
import { type Mamoru, storeOptions } from '../mamoru.ts';
import { loadPublicKey, loadSigningKey, publicKeyPem } from '../store/checkpoint-key.ts';
import { type CheckpointLogger, CheckpointWriter, writeAtomically } from '../store/checkpoint-writer.ts';
import type { Checkpoint } from '../store/decision-checkpoint.ts';
import { openStore, type Store } from '../store/index.ts';
import type { ApiClient } from './api-client.ts';
import { auditCheckpoint, auditPublicKey, auditVerify, readText, type VerifyReport } from './audit-run.ts';
import { withConfigFlags } from './config-flags.ts';
import { configFrom, connect, DATA_FLAGS, explainLocked, printJson, withClientFlags } from './context.ts';

const AUDIT_FLAGS = [...DATA_FLAGS, 'checkpointKey'] as const;

/**
 * `audit verify [--against <checkpoint>]`, `audit checkpoint [--out <file>]`
 * and `audit public-key` (X1). While a server runs they ask it (the same
 * audit, on its database: `POST /v1/decisions/verify`, `GET
 * /v1/decisions/checkpoint?check=audit`, `GET /v1/decisions/checkpoint/key`);
 * with none they work on the database directly (`audit-run.ts`).
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('判定ログの監査 / decision log audit (X1)');
  auditCommand(
    audit
      .command('verify')
      .description(
        'ハッシュチェーンと案件を検証（チェックポイントと照合）/ verify the hash chain and cases, against a checkpoint',
      )
      .option('--against <file>', '署名付きチェックポイント / a signed checkpoint to check the log against')
      .option(
        '--public-key <file>',
        '署名を検証する公開鍵（PEM）/ public key (PEM) to check its signature with',
      ),
  ).action(async (options: { against?: string; publicKey?: string }, command: Command) => {
    const config = configFrom(command);
    const api = await connect(command);
    const report = api
      ? await verifyThrough(api, options)
      : await withStore(config, (store) => auditVerify(store, config, options));
    printJson(report);
    if (!report.ok) {
      process.stderr.write(
        `判定ログの改ざんまたは削除を検出 / decision log tampering found: ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}\n`,
      );
      process.exitCode = 3;
    }
  });
  auditCommand(
    audit
      .command('checkpoint')
      .description(
        'ログを検証して先頭に署名 / verify the log and sign its head: a checkpoint to keep elsewhere',
      )
      .option('--out <file>', '書き出すファイル（既定: 標準出力）/ file to write (default: stdout)')
      .option(
        '--since <file>',
        'このチェックポイント以降の行だけ検証 / verify only the rows after this checkpoint (signed by this key)',
      ),
  ).action(async (options: { out?: string; since?: string }, command: Command) => {
    const config = configFrom(command);
    const api = await connect(command);
    const checkpoint = api
      ? await checkpointThrough(api, options)
      : await withStore(config, (store) => auditCheckpoint(store, config, options));
    if (options.out === undefined) printJson(checkpoint);
    else {
      await writeAtomically(options.out, checkpoint);
      process.stderr.write(`チェックポイント / checkpoint: decision ${checkpoint.seq} → ${options.out}\n`);
    }
  });
  auditCommand(
    audit
      .command('public-key')
      .description('チェックポイントの公開鍵 / the public key verifiers check checkpoints with'),
  ).action(async (_o, command: Command) => {
    const api = await connect(command);
    const { key, publicKey } = api
      ? await api.request<{ key: string; publicKey: string }>('GET', '/v1/decisions/checkpoint/key')
      : await auditPublicKey(configFrom(command));
    process.stderr.write(`key id: ${key}\n`);
    process.stdout.write(publicKey);
  });
}

/** The database flags, the checkpoint key, and `--url`/`--api-key` for a server. */
function auditCommand(command: Command): Command {
  return withClientFlags(withConfigFlags(command, AUDIT_FLAGS));
}

/**
 * `audit verify` through the server: the same audit on its database, with
 * the checkpoint file's text and the public key read here (the same errors as
 * on the database); the report names the file, as it does there. It waits as
 * long as the audit takes (10,000–30,000 rows a second).
 */
async function verifyThrough(
  api: ApiClient,
  options: { against?: string; publicKey?: string },
): Promise<VerifyReport> {
  if (options.against === undefined)
    return api.request<VerifyReport>('POST', '/v1/decisions/verify', { json: {}, noTimeout: true });
  const checkpoint = await readText(options.against, '--against');
  const publicKey =
    options.publicKey === undefined ? undefined : publicKeyPem(await loadPublicKey(options.publicKey));
  const report = await api.request<VerifyReport>('POST', '/v1/decisions/verify', {
    json: { checkpoint, ...(publicKey === undefined ? {} : { publicKey }) },
    noTimeout: true,
  });
  return report.checkpoint
    ? { ...report, checkpoint: { file: options.against, ...report.checkpoint } }
    : report;
}

/**
 * `audit checkpoint` through the server: it audits the whole log and signs
 * its head with its key; 409 when the log does not verify.
 */
async function checkpointThrough(api: ApiClient, options: { since?: string }): Promise<Checkpoint> {
  if (options.since !== undefined)
    throw new MamoruError(
      'validation_failed',
      '--since はデータベースを直接使うときだけ指定できます。サーバー経由ではログ全体を監査します / --since works on the database directly only: through the server the whole log is audited',
      { issues: [{ path: '--since', message: `not through the server at ${api.url}` }] },
    );
  return api.request<Checkpoint>('GET', '/v1/decisions/checkpoint', {
    query: { check: 'audit' },
    noTimeout: true,
  });
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  // With the embedded database held by a server not found (no server.json), say what to do.
  const store = await openStore(storeOptions(config)).catch((error: unknown) => {
    throw explainLocked(error, false);
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The serve loop's checkpoints: with `MAMORU_CHECKPOINT_FILE` set, a writer
 * that, once started, writes one now and one every `MAMORU_CHECKPOINT_INTERVAL`
 * seconds (see `CheckpointWriter`); undefined when it is not set. A signing
 * key that cannot be loaded throws, so that it stops the start.
 */
export async function checkpointWriter(
  mamoru: Mamoru,
  logger: CheckpointLogger,
): Promise<CheckpointWriter | undefined> {
  const config = mamoru.config;
  if (!config.checkpointFile) return undefined;
  return new CheckpointWriter({
    store: mamoru.store,
    key: await loadSigningKey(config, true),
    file: config.checkpointFile,
    intervalMs: config.checkpointInterval * 1000,
    logger,
  });
}
