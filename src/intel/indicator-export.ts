import { CSV_COLUMNS } from './import-indicators.ts';
import type { Indicator, IndicatorQuery } from './indicator-schemas.ts';

/** Rows read per page while exporting: memory stays bounded whatever the organisation holds. */
const EXPORT_PAGE = 1000;

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What the export reads: one page of the organisation's indicators, as `IndicatorService.list` answers it. */
export type IndicatorPager = (
  query: IndicatorQuery,
) => Promise<{ items: Indicator[]; nextCursor: string | null }>;

/**
 * An organisation's indicators as the import reads them back, one line at a
 * time, page after page (newest first): CSV with a header row of the import's
 * columns, or JSON lines of `POST /v1/indicators` bodies. Values are the
 * stored ones (normalised; keyed hashes for sensitive types, marked
 * `hashed`), never raw secrets.
 *
 * The first page is read before this resolves, so a filter the store refuses
 * (a value not of its type) is an error the caller answers as a 400 — not a
 * stream broken after its 200 was sent.
 */
export async function exportIndicators(
  list: IndicatorPager,
  filter: Omit<IndicatorQuery, 'limit' | 'cursor'>,
  format: ExportFormat,
): Promise<AsyncGenerator<string>> {
  const first = await list({ ...filter, limit: EXPORT_PAGE });
  return lines(first);

  async function* lines(page: Awaited<ReturnType<IndicatorPager>>): AsyncGenerator<string> {
    if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
    for (;;) {
      let chunk = '';
      for (const indicator of page.items)
        chunk += format === 'csv' ? csvLine(indicator) : jsonLine(indicator);
      if (chunk !== '') yield chunk;
      if (page.nextCursor === null) return;
      page = await list({ ...filter, limit: EXPORT_PAGE, cursor: page.nextCursor });
    }
  }
}

/** One indicator as the import's JSON lines take it (`POST /v1/indicators`' body). */
export function jsonLine(i: Indicator): string {
  return `${JSON.stringify({
    type: i.type,
    value: i.value,
    ...(i.hashed ? { hashed: true } : {}),
    verdict: i.verdict,
    confidence: i.confidence,
    source: i.source,
    scope: i.scope,
    firstSeen: i.firstSeen,
    lastSeen: i.lastSeen,
    expiresAt: i.expiresAt,
    tags: i.tags,
    ...(i.description === null ? {} : { description: i.description }),
  })}\n`;
}

/** One indicator as a CSV record in the order of `CSV_COLUMNS` (RFC 4180 quoting). */
export function csvLine(i: Indicator): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    type: i.type,
    value: i.value,
    verdict: i.verdict,
    confidence: String(i.confidence),
    source: i.source,
    scope: i.scope,
    expires_at: i.expiresAt ?? '',
    tags: i.tags.join(';'),
    description: i.description ?? '',
    hashed: i.hashed ? 'true' : '',
    first_seen: i.firstSeen,
    last_seen: i.lastSeen,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')}\r\n`;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
