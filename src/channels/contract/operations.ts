import { z } from 'zod';
import { type ChannelOperation, defineOperation } from '../../core/index.ts';
import { SALES_CHANNELS, SIM_TYPES } from './contract-schema.ts';
import { importLines } from './lines-import.ts';
import { LINE_STATUSES, lineEventSchema } from './lines-schema.ts';
import type { LineStore } from './lines-store.ts';

/**
 * Loading lines changes what every later screening counts (P2: line caps), so
 * it takes its own permission, `lines:write`: admin, analyst and system keys
 * (the carrier's provisioning); never a shop or agency key, nor HQ reviewers.
 */
const LINES_PERMISSION = 'lines:write';

/** A stored line as the operations answer it: keyed holder, never a raw identity. */
export const storedLineSchema = z.object({
  lineId: z.string(),
  holderKey: z.string(),
  simType: z.enum(SIM_TYPES),
  status: z.enum(LINE_STATUSES),
  contractedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  salesChannel: z.enum(SALES_CHANNELS).nullable(),
  outlet: z.string().nullable(),
  registeredUserKey: z.string().nullable(),
});

/**
 * `record-line` (`POST /v1/contract/lines`, `mamoru contract record-line`):
 * one line event — an activation (開通), a suspension, a cancellation (解約)
 * — upserted by line id; 201 when the line is new. The holder's identity is
 * keyed on arrival and never stored or returned (P2: counts of lines held
 * stay true).
 */
export function recordLineOperation(lines: LineStore) {
  return defineOperation({
    name: 'record-line',
    aliases: ['line'],
    path: 'lines',
    permission: LINES_PERMISSION,
    summary: {
      ja: '回線の開通・停止・解約を一件記録',
      en: 'Record one line activation, suspension or cancellation',
    },
    input: {
      kind: 'json',
      schema: lineEventSchema,
      examples: {
        activation: {
          summary: '開通 / an activation',
          value: {
            lineId: '+819012345678',
            holder: { name: '山田 太郎', birthDate: '1985-04-12', address: '東京都新宿区西新宿2-8-1' },
            simType: 'voice',
            status: 'active',
            contractedAt: '2025-04-01',
            salesChannel: 'shop',
            outlet: 'shop:shop-shinjuku-01',
          },
        },
      },
    },
    output: z.object({ line: storedLineSchema, created: z.boolean() }),
    status: (out) => (out.created ? 201 : 200),
    run: (line, ctx) => lines.record(ctx.actor.orgId, line, { validated: true }),
  });
}

/**
 * `import-lines` (`POST /v1/contract/lines/import`, `mamoru contract
 * import-lines <file>`): the carrier's lines in bulk — existing lines,
 * activations, cancellations — from CSV or JSON lines, upserted by line id
 * (P2). Every rejected line is kept in the import report (kind `lines`).
 */
export function importLinesOperation(lines: LineStore) {
  return defineOperation({
    name: 'import-lines',
    path: 'lines/import',
    permission: LINES_PERMISSION,
    summary: {
      ja: '回線の一括取り込み（既存回線・開通・解約）',
      en: 'Bulk-load lines: existing lines, activations, cancellations',
    },
    description: {
      ja: '回線 ID ごとに上書きします。列と項目は docs/contract.md を参照してください。',
      en: 'Upserted by line id; the columns and fields are in docs/contract.md.',
    },
    input: {
      kind: 'records',
      importKind: 'lines',
      formats: {
        csv: {
          description: 'CSV: a header row (line_id and sim_type required), then one line per record',
          example:
            'line_id,name,birth_date,address,sim_type,status,contracted_at,cancelled_at\n' +
            '+819012345678,山田 太郎,1985-04-12,東京都新宿区西新宿2-8-1,voice,active,2025-04-01,\n' +
            '+819087654321,山田 太郎,1985-04-12,東京都新宿区西新宿2-8-1,data_sms,cancelled,2025-04-01,2025-10-01\n',
        },
        jsonl: {
          description: 'JSON lines: one line event per line, the fields of POST /v1/contract/lines',
          example:
            '{"lineId":"+819012345678","holder":{"name":"山田 太郎","birthDate":"1985-04-12","address":"東京都新宿区西新宿2-8-1"},"simType":"voice","status":"active","contractedAt":"2025-04-01"}\n' +
            '{"lineId":"+819011112222","holderType":"corporation","corporateNumber":"7123456789012","simType":"data","status":"active"}\n',
        },
      },
    },
    run: (records, ctx) =>
      importLines(lines, ctx.actor.orgId, records, {
        format: records.format,
        rejections: ctx.rejections,
        onProgress: ctx.onProgress,
      }),
  });
}

/** The contract channel's operations beside screening, on its line store. */
export function contractOperations(lines: LineStore): readonly ChannelOperation[] {
  return [recordLineOperation(lines), importLinesOperation(lines)];
}
