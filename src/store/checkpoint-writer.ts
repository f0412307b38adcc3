import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { safeError } from '../core/safe-error.ts';
import { CheckpointIssuer } from './checkpoint-issuer.ts';
import { readLogId } from './decision-audit.ts';
import {
  anchorOf,
  type Checkpoint,
  checkpointSignatureProblem,
  parseCheckpoint,
} from './decision-checkpoint.ts';
import type { AuditAnchor, Store } from './store.ts';

/** What the writer tells: a pino logger fits. */
export interface CheckpointLogger {
  info(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface CheckpointWriterOptions {
  readonly store: Store;
  readonly key: KeyObject;
  /** The file rewritten with each checkpoint (`MAMORU_CHECKPOINT_FILE`). */
  readonly file: string;
  /** Milliseconds between checkpoints (`MAMORU_CHECKPOINT_INTERVAL`, in seconds there). */
  readonly intervalMs: number;
  readonly logger: CheckpointLogger;
}

/**
 * The serve loop's checkpoints (X1): at start and then every interval, audit
 * the decision log (the first time all of it, or the rows after the
 * checkpoint already in the file; then the new rows) and, when it verifies,
 * sign its head and replace the file (written beside it, then renamed: a
 * reader never sees half a file). Ship the file off the machine (another
 * organisation, write-once storage): a copy kept only here is deleted with
 * the log.
 *
 * It never overwrites evidence: when the file holds a checkpoint this key did
 * not sign, of another log, or one the log no longer matches, or the log has
 * any finding, it logs an error and leaves the file as it is.
 */
export class CheckpointWriter {
  readonly #options: CheckpointWriterOptions;
  #issuer: CheckpointIssuer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  /** Why the file must not be replaced (its checkpoint could not be trusted), if so. */
  #blocked: string | undefined;

  constructor(options: CheckpointWriterOptions) {
    this.#options = options;
  }

  /** Write the first checkpoint now (in the background), then one every interval. */
  start(): void {
    this.#running = this.#tick();
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => this.#tick());
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stop the interval; resolves when the checkpoint being written (if any) is done. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Resolves when the checkpoint under way (if any) is written or has failed; for tests. */
  settled(): Promise<void> {
    return this.#running;
  }

  async #tick(): Promise<void> {
    const { file, logger } = this.#options;
    try {
      this.#issuer ??= new CheckpointIssuer(this.#options.store, this.#options.key, await this.#previous());
      if (this.#blocked !== undefined) {
        logger.error(
          { file, problem: this.#blocked },
          'decision log checkpoint not written: the file is kept as evidence',
        );
        return;
      }
      const checkpoint = await this.#issuer.issue('audit');
      await writeAtomically(file, checkpoint);
      logger.info({ file, seq: checkpoint.seq, hash: checkpoint.hash }, 'decision log checkpoint written');
    } catch (err) {
      logger.error({ err: safeError(err), file }, 'decision log checkpoint not written');
    }
  }

  /** The checkpoint already in the file, when this key signed it for this log: audits start after it. */
  async #previous(): Promise<AuditAnchor | undefined> {
    const { file, key, store } = this.#options;
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const parsed = parseCheckpoint(text);
    if (!parsed.ok) {
      this.#blocked = `the file is not a checkpoint: ${parsed.problem}`;
      return undefined;
    }
    const problem = checkpointSignatureProblem(parsed.checkpoint, key);
    const log = await readLogId(store.db);
    if (problem !== undefined) this.#blocked = problem;
    else if (parsed.checkpoint.log !== log)
      this.#blocked = `the file holds a checkpoint of log ${parsed.checkpoint.log}, not of this log (${log ?? 'no id'})`;
    return this.#blocked === undefined ? anchorOf(parsed.checkpoint) : undefined;
  }
}

/** Write a checkpoint file whole: to a temporary file beside it, then renamed over it. */
export async function writeAtomically(file: string, checkpoint: Checkpoint): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, file);
}
