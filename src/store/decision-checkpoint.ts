import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { MamoruError } from '../core/index.ts';
import { canonicalJson } from './canonical-json.ts';
import type { AuditAnchor } from './store.ts';

/** The `type` of a checkpoint document; a verifier refuses any other. */
export const CHECKPOINT_TYPE = 'mamoru.decision-log.checkpoint';

/**
 * A signed checkpoint of the decision log (X1, audited export of the log):
 * the log's id, its head (last seq and that row's hash) and when it was
 * taken, signed with Ed25519 by a key that does not live in the database.
 * Kept outside the database — by another organisation, a regulator, write-once
 * storage — it lets `mamoru audit verify --against <file>` show a log emptied
 * with its head, or its tail rewritten with the hashes recomputed: the log
 * must still hold that row with that hash. The signature shows who vouched
 * for the head, and that the file itself was not changed.
 *
 * Signed text: the canonical JSON (`canonicalJson`, sorted keys) of every
 * field but `signature`; `signature` is the Ed25519 signature in base64url;
 * `key` is the signing key's id (`keyId`), so a verifier knows which public
 * key to ask for.
 *
 * @example
 * {"type":"mamoru.decision-log.checkpoint","version":1,"log":"log_3f…","seq":1200,
 *  "hash":"9c1e…","time":"2026-04-01T09:00:00.000Z","key":"ed25519:5b0c…","signature":"kX3…"}
 */
export interface Checkpoint {
  readonly type: typeof CHECKPOINT_TYPE;
  readonly version: 1;
  /** The log's id (`decision_log_id` in settings). */
  readonly log: string;
  /** The head's seq: the number of decisions vouched for (0: the empty log). */
  readonly seq: number;
  /** The hash of decision `seq` (SHA-256, hex); it covers every row before it. */
  readonly hash: string;
  /** When the checkpoint was signed (ISO 8601, UTC). */
  readonly time: string;
  /** The signing key's id: `ed25519:` and 32 hex digits of the SHA-256 of its public key (SPKI DER). */
  readonly key: string;
  /** Ed25519 signature of the canonical JSON of the other fields, base64url. */
  readonly signature: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const ID = /^[\w.:-]{1,200}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** The id of a public key (Ed25519): `ed25519:` and the first 32 hex digits of the SHA-256 of its SPKI DER. */
export function keyId(key: KeyObject): string {
  const spki = (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(spki).digest('hex').slice(0, 32)}`;
}

/** Sign the head of log `log`: a checkpoint to keep outside the database. */
export function signCheckpoint(
  privateKey: KeyObject,
  head: { readonly log: string; readonly seq: number; readonly hash: string },
  now: Date = new Date(),
): Checkpoint {
  const body = {
    type: CHECKPOINT_TYPE as typeof CHECKPOINT_TYPE,
    version: 1 as const,
    log: head.log,
    seq: head.seq,
    hash: head.hash,
    time: now.toISOString(),
    key: keyId(privateKey),
  };
  const signature = sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('base64url');
  return { ...body, signature };
}

/** A checkpoint read from a file: the checkpoint, or what is wrong with its form. */
export type ParsedCheckpoint =
  | { readonly ok: true; readonly checkpoint: Checkpoint }
  | { readonly ok: false; readonly problem: string };

/**
 * Read a checkpoint's JSON text, checking its form (not yet its signature):
 * every field present with its type, nothing else.
 */
export function parseCheckpoint(text: string): ParsedCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  const check = (field: string, good: boolean, what: string) => {
    if (!good) problems.push(`${field}: ${what}`);
  };
  check('type', v.type === CHECKPOINT_TYPE, `must be "${CHECKPOINT_TYPE}"`);
  check('version', v.version === 1, 'must be 1');
  check('log', typeof v.log === 'string' && ID.test(v.log), 'must be a log id');
  check('seq', Number.isSafeInteger(v.seq) && (v.seq as number) >= 0, 'must be a whole number ≥ 0');
  check('hash', typeof v.hash === 'string' && HEX64.test(v.hash), 'must be 64 hex digits');
  check(
    'time',
    typeof v.time === 'string' && ISO_TIME.test(v.time) && !Number.isNaN(Date.parse(v.time)),
    'must be an ISO 8601 UTC time',
  );
  check('key', typeof v.key === 'string' && ID.test(v.key), 'must be a key id');
  check('signature', typeof v.signature === 'string' && BASE64URL.test(v.signature), 'must be base64url');
  const known = new Set(['type', 'version', 'log', 'seq', 'hash', 'time', 'key', 'signature']);
  for (const field of Object.keys(v)) if (!known.has(field)) problems.push(`${field}: unknown field`);
  return problems.length > 0
    ? { ok: false, problem: problems.join('; ') }
    : { ok: true, checkpoint: v as unknown as Checkpoint };
}

/**
 * Check a checkpoint's signature with the public key the verifier trusts:
 * undefined when it holds, else why not (signed by another key, or changed
 * since it was signed).
 */
export function checkpointSignatureProblem(checkpoint: Checkpoint, publicKey: KeyObject): string | undefined {
  const trusted = keyId(publicKey);
  if (checkpoint.key !== trusted)
    return `the checkpoint is signed by key ${checkpoint.key}, not by the trusted key ${trusted}`;
  const { signature, ...body } = checkpoint;
  const good = verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(signature, 'base64url'));
  return good ? undefined : 'the signature does not match the checkpoint: it was changed after it was signed';
}

/** The head a checkpoint vouches for, as the audit takes it. */
export function anchorOf(checkpoint: Checkpoint): AuditAnchor {
  return { log: checkpoint.log, seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time };
}

/** An Ed25519 key, or a validation error naming where it came from. */
export function requireEd25519(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new MamoruError(
      'validation_failed',
      `${source}: not an Ed25519 key (${key.asymmetricKeyType ?? key.type})`,
      {
        issues: [{ path: source, message: 'must be an Ed25519 key (PEM)' }],
      },
    );
  return key;
}
