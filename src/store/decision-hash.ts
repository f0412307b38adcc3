import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import type { DecisionRow } from './schema.ts';

/** `prev_hash` of the first decision in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a decision's hash covers; `verdict` and `event` are already canonical JSON text. */
export interface HashedDecision {
  readonly seq: number;
  readonly id: string;
  readonly orgId: string;
  readonly channel: string;
  readonly eventId: string;
  readonly action: string;
  readonly score: number;
  readonly verdict: string;
  readonly event: string;
  /** ISO 8601 with milliseconds, as `Date.prototype.toISOString` writes it. */
  readonly createdAt: string;
  readonly prevHash: string;
}

/**
 * The hash of one decision in the log (X1): SHA-256, in hex, of the RFC 8785
 * (JCS) canonical JSON of `{seq, id, org_id, channel, event_id, action, score,
 * verdict, event, created_at, prev_hash}`. Because it covers `prev_hash`, each
 * row vouches for every row before it. Standard tools recompute it
 * (docs/audit.md, scripts/verify-decision-log.py).
 */
export function decisionHash(d: HashedDecision): string {
  const q = JSON.stringify;
  // canonicalJson of the whole object, spelled out in its sorted key order so that the (large) verdict
  // and event are canonicalised once, before the chain lock is taken, rather than under it.
  const text =
    `{"action":${q(d.action)},"channel":${q(d.channel)},"created_at":${q(d.createdAt)},` +
    `"event":${d.event},"event_id":${q(d.eventId)},"id":${q(d.id)},"org_id":${q(d.orgId)},` +
    `"prev_hash":${q(d.prevHash)},"score":${canonicalJson(d.score)},"seq":${canonicalJson(d.seq)},` +
    `"verdict":${d.verdict}}`;
  return createHash('sha256').update(text).digest('hex');
}

/** The hash a stored row should carry, recomputed from its columns. */
export function storedRowHash(row: DecisionRow): string {
  return decisionHash({
    seq: Number(row.seq),
    id: row.id,
    orgId: row.org_id,
    channel: row.channel,
    eventId: row.event_id,
    action: row.action,
    score: row.score,
    verdict: canonicalJson(row.verdict),
    event: canonicalJson(row.event),
    createdAt: new Date(row.created_at).toISOString(),
    prevHash: row.prev_hash,
  });
}
