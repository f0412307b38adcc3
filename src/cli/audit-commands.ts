import type { Command } from 'commander';
import { type Mamoru, storeOptions } from '../mamoru.ts';
import type { Config } from '../server/config.ts';
import { loadSigningKey } from '../store/checkpoint-key.ts';
import { type CheckpointLogger, CheckpointWriter, writeAtomically } from '../store/checkpoint-writer.ts';
import { openStore, type Store } from '../store/index.ts';
import { auditCheckpoint, auditPublicKey, auditVerify } from './audit-run.ts';
import { configFrom, DATA_FLAGS, explainLocked, printJson } from './context.ts';
import { withConfigFlags } from './main.ts';

const AUDIT_FLAGS = [...DATA_FLAGS, 'checkpointKey'] as const;

/**
 * `audit verify [--against <checkpoint>]`, `audit checkpoint [--out <file>]`
 * and `audit public-key` (X1). They work on the database directly, never
 * through the server they audit; the logic is in `audit-run.ts`.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('判定ログの監査 / decision log audit (X1)');
  withConfigFlags(
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
    AUDIT_FLAGS,
  ).action(async (options: { against?: string; publicKey?: string }, command: Command) => {
    const config = configFrom(command);
    const report = await withStore(config, (store) => auditVerify(store, config, options));
    printJson(report);
    if (!report.ok) {
      process.stderr.write(
        `判定ログの改ざんまたは削除を検出 / decision log tampering found: ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}\n`,
      );
      process.exitCode = 3;
    }
  });
  withConfigFlags(
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
    AUDIT_FLAGS,
  ).action(async (options: { out?: string; since?: string }, command: Command) => {
    const config = configFrom(command);
    const checkpoint = await withStore(config, (store) => auditCheckpoint(store, config, options));
    if (options.out === undefined) printJson(checkpoint);
    else {
      await writeAtomically(options.out, checkpoint);
      process.stderr.write(`チェックポイント / checkpoint: decision ${checkpoint.seq} → ${options.out}\n`);
    }
  });
  withConfigFlags(
    audit
      .command('public-key')
      .description('チェックポイントの公開鍵 / the public key verifiers check checkpoints with'),
    AUDIT_FLAGS,
  ).action(async (_o, command: Command) => {
    const { key, publicKey } = await auditPublicKey(configFrom(command));
    process.stderr.write(`key id: ${key}\n`);
    process.stdout.write(publicKey);
  });
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  // With the embedded database held by the server, say what to do (an audit never goes through the server).
  const store = await openStore(storeOptions(config)).catch((error: unknown) => {
    throw explainLocked(error, true);
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
