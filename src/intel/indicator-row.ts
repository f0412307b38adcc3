import type { Selectable } from 'kysely';
import {
  type IndicatorType,
  type IndicatorVerdict,
  isSensitiveType,
  type SharingScope,
} from '../core/index.ts';
import type { IndicatorsTable } from '../store/schema.ts';
import type { Indicator } from './indicator-schemas.ts';

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A stored row as the API returns it (camelCase, ISO times). */
export function toIndicator(row: Selectable<IndicatorsTable>): Indicator {
  const type = row.type as IndicatorType;
  return {
    id: row.id,
    orgId: row.org_id,
    type,
    value: row.value,
    hashed: isSensitiveType(type),
    verdict: row.verdict as IndicatorVerdict,
    confidence: row.confidence,
    source: row.source,
    scope: row.scope as SharingScope,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    expiresAt: row.expires_at === null ? null : iso(row.expires_at),
    tags: Array.isArray(row.tags) ? row.tags : (JSON.parse(row.tags as unknown as string) as string[]),
    description: row.description,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
