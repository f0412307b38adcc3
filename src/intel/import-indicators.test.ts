import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMamoruError } from '../core/index.ts';
import { formatCsvRow } from './csv-parser.ts';
import { type ImportProgress, type ImportTarget, importIndicators } from './import-indicators.ts';
import type { IndicatorService, PreparedIndicator } from './indicator-service.ts';
import { IndicatorService as Service } from './indicator-service.ts';
import { createKeyedHasher } from './keyed-hash.ts';

/** The service's own validation over an in-memory table (the database is tested in indicator-service.test.ts). */
function memoryTarget(): ImportTarget & { rows: Map<string, PreparedIndicator>; statements: number[] } {
  const service: Pick<IndicatorService, 'prepare'> = new Service({
    db: undefined as never,
    hasher: createKeyedHasher('import-test-key-0123456789'),
  });
  const rows = new Map<string, PreparedIndicator>();
  const statements: number[] = [];
  return {
    rows,
    statements,
    prepare: (input) => service.prepare(input),
    async upsertMany(_orgId, items) {
      statements.push(items.length);
      return items.map((i) => {
        const key = `${i.type}\u0000${i.value}`;
        const created = !rows.has(key);
        rows.set(key, i);
        return created;
      });
    },
  };
}

const HEADER = 'type,value,verdict,confidence,source,scope,expires_at,tags,description';

describe('importIndicators', () => {
  it('imports CSV with defaults, counts new and refreshed rows, and lists every rejected line', async () => {
    const target = memoryTarget();
    const progress: ImportProgress[] = [];
    const text = [
      HEADER,
      'phone,090-1234-5678,malicious,90,,,,smishing;sms,"架空請求の番号, 2件"',
      'url,https://Evil.example.com/login,,,,,2030-01-01T00:00:00Z,,',
      '',
      'phone,+81 90 1234 5678,suspicious,40,,,,,',
      'phone,12,malicious,90,,,,,',
      'email,taro@example.com,evil,90,,,,,',
      'domain,example.com,malicious,101,,,,,',
      'card,4111 1111 1111 1111,malicious,80,,,,,',
      'x"y,1,,,,,,,',
      'ip,192.0.2.1',
    ].join('\r\n');
    const result = await importIndicators(target, 'org_a', text, {
      format: 'csv',
      defaults: { source: 'feed-x', scope: 'partners' },
      onProgress: (p) => progress.push(p),
      batchSize: 2,
    });
    expect(result).toMatchObject({ processed: 9, imported: 3, updated: 1, rejected: 5 });
    expect(result.rejections.map((r) => [r.line, r.field])).toEqual([
      [6, 'value'],
      [7, 'verdict'],
      [8, 'confidence'],
      [10, '(line)'],
      [11, '(line)'],
    ]);
    expect(result.rejections[0]!.message).toMatch(/phone/);
    const phone = target.rows.get('phone\u0000+819012345678')!;
    expect(phone).toMatchObject({
      verdict: 'suspicious',
      confidence: 40,
      source: 'feed-x',
      scope: 'partners',
    });
    expect(target.rows.get('url\u0000https://evil.example.com/login')!.expiresAt).toEqual(
      new Date('2030-01-01T00:00:00Z'),
    );
    expect([...target.rows.keys()].some((k) => k.includes('4111'))).toBe(false);
    expect(target.statements.every((n) => n <= 2)).toBe(true);
    expect(progress.at(-1)).toEqual({ processed: 9, imported: 3, updated: 1, rejected: 5 });
  });

  it('refuses a CSV header with an unknown column or no value column before writing anything', async () => {
    const target = memoryTarget();
    for (const header of ['type,value,colour', 'type,verdict', 'type,value,type']) {
      const error = await importIndicators(target, 'o', `${header}\nphone,090-1234-5678\n`, {
        format: 'csv',
      }).catch((e) => e);
      expect(isMamoruError(error) && error.code === 'validation_failed').toBe(true);
    }
    expect(target.statements).toEqual([]);
  });

  it('reads JSON lines from an async iterable, snake_case accepted', async () => {
    const target = memoryTarget();
    async function* lines() {
      yield '{"type":"domain","value":"evil.example.com","verdict":"malicious","expires_at":"2030-01-01T00:00:00Z"}';
      yield '';
      yield 'not json';
      yield '[1,2]';
      yield '{"type":"domain","value":"x.example.com","__proto__":{"verdict":"benign"}}';
      yield '{"type":"bank_account","value":"0001-123-普通-1234567","tags":["mule"]}';
    }
    const result = await importIndicators(target, 'o', lines(), { format: 'jsonl' });
    expect(result).toMatchObject({ processed: 5, imported: 2, updated: 0, rejected: 3 });
    expect(result.rejections.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(result.rejections[2]!.message).toMatch(/__proto__/);
  });

  it('reads CSV given line by line (readline), quoted line breaks included', async () => {
    const target = memoryTarget();
    const lines = ['type,value,description', 'phone,090-1234-5678,"two', 'lines"', 'phone,03-1234-5678,x'];
    const result = await importIndicators(target, 'o', lines, { format: 'csv' });
    expect(result).toMatchObject({ processed: 2, imported: 2, rejected: 0 });
    expect(target.rows.get('phone\u0000+819012345678')!.description).toBe('two\nlines');
  });

  it('property: no line is ever lost — imported + updated + rejected equals the data lines', async () => {
    const cell = fc.oneof(
      fc.constantFrom(
        'phone',
        'url',
        'domain',
        'email',
        'card',
        'malicious',
        'benign',
        '50',
        '',
        '090-1234-5678',
        'example.com',
      ),
      fc.string({ maxLength: 12 }),
    );
    const row = fc.tuple(
      fc.constantFrom('phone', 'url', 'domain', 'email', 'card', 'bogus'),
      cell,
      fc.constantFrom('malicious', 'suspicious', 'x', ''),
      cell,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        async (rows, batchSize) => {
          const target = memoryTarget();
          const data = rows.map((r) => formatCsvRow(r));
          const text = ['type,value,verdict,confidence', ...data].join('\n');
          const result = await importIndicators(target, 'o', text, { format: 'csv', batchSize });
          // Every row has four cells, so none is a blank line: each is imported, refreshed or rejected.
          expect(result.processed).toBe(rows.length);
          expect(result.imported + result.updated + result.rejected).toBe(rows.length);
          expect(result.rejections).toHaveLength(result.rejected);
          expect(result.imported).toBe(target.rows.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: no JSON line is ever lost, whatever the line holds', async () => {
    const line = fc.oneof(
      fc
        .record({
          type: fc.constantFrom('phone', 'domain', 'url', 'nope'),
          value: fc.oneof(
            fc.constantFrom('090-1234-5678', 'example.com', 'https://example.com/'),
            fc.string({ maxLength: 10 }),
          ),
          confidence: fc.oneof(fc.integer({ min: -5, max: 120 }), fc.constant('high')),
        })
        .map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('', '   ', '{}', 'null', '"x"', '{"type":"phone"'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 25 }), async (lines) => {
        const target = memoryTarget();
        const result = await importIndicators(target, 'o', lines, { format: 'jsonl', batchSize: 3 });
        const dataLines = lines.filter((l) => l.trim() !== '').length;
        expect(result.processed).toBe(dataLines);
        expect(result.imported + result.updated + result.rejected).toBe(dataLines);
        expect(result.rejections).toHaveLength(result.rejected);
        for (const r of result.rejections) expect(lines[r.line - 1]!.trim()).not.toBe('');
      }),
      { numRuns: 300 },
    );
  });
});
