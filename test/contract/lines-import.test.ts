import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../../src/channels/contract/contract-keys.ts';
import { ContractStore } from '../../src/channels/contract/contract-store.ts';
import { importLines, type LineImportProgress } from '../../src/channels/contract/lines-import.ts';
import { LineStore, type PreparedLine } from '../../src/channels/contract/lines-store.ts';
import type { ContractTables } from '../../src/channels/contract/tables.ts';
import { formatCsvRow } from '../../src/intel/csv-parser.ts';
import type { Store } from '../../src/store/index.ts';
import { storeBackends } from '../helpers/stores.ts';
import { hasher, ORG_A } from './fixtures.ts';

const HEADER =
  'line_id,name,birth_date,address,document_serial,holder_key,holder_type,corporate_number,sim_type,status,contracted_at,cancelled_at,channel,outlet';
const KEY = 'a'.repeat(64);

/** A target that validates with the real line store and remembers what it would upsert. */
function fakeTarget() {
  const prepare = new LineStore({ db: undefined as never, hasher });
  const upserted: PreparedLine[] = [];
  const seen = new Set<string>();
  return {
    upserted,
    prepare: (input: unknown) => prepare.prepare(input),
    upsertMany: async (_orgId: string, items: readonly PreparedLine[]) =>
      items.map((i) => {
        upserted.push(i);
        const created = !seen.has(i.lineId);
        seen.add(i.lineId);
        return created;
      }),
  };
}

describe('importLines: rejections are named', () => {
  it('imports CSV lines and names the line, the column and the reason of each rejection', async () => {
    const csv = [
      HEADER,
      'L1,山田 太郎,1980-01-02,東京都千代田区1-1,AB1,,,,voice,active,2025-04-01,,shop,S1',
      `L2,,,,,${KEY},,,data,suspended,,,,`,
      'L3,,,,,,corporation,7000012050002,data,active,2025-04-01T10:00:00+09:00,,online,online',
      'L4,山田 太郎,1980-01-02,東京都千代田区1-1,,,,,fax,active,,,,',
      'L5,,,,,,,,voice,active,,,,',
      'L6,山田 太郎,1980-02-30,東京都,,,,,voice,active,,,,',
      'L7,,,,,,corporation,7000012050003,data,active,,,,',
      `L8,,,,,${KEY},,,voice,cancelled,,,,`,
      'L9,only,three',
      `"L10","山田 ""太郎""","1980-01-02","東京都
千代田区",,,,,voice,active,,,,`,
      `L11,,,,,${KEY},,,voice,active,1800-01-01,,,`,
      '',
    ].join('\n');
    const target = fakeTarget();
    const result = await importLines(target, ORG_A, csv, { format: 'csv', writers: 1 });
    expect(result).toMatchObject({ processed: 11, imported: 4, updated: 0, rejected: 7 });
    expect(result.rejections.map((r) => [r.line, r.field])).toEqual([
      [5, 'sim_type'],
      [6, 'name'],
      [7, 'birth_date'],
      [8, 'corporate_number'],
      [9, 'cancelled_at'],
      [10, '(line)'],
      [13, 'contracted_at'],
    ]);
    expect(result.rejections[0]!.message).toContain('sim_type');
    expect(target.upserted.map((l) => l.lineId)).toEqual(['L1', 'L2', 'L3', 'L10']);
    expect(target.upserted[0]).toMatchObject({
      holderKey: identityKey(
        { name: '山田 太郎', birthDate: '1980-01-02', address: '東京都千代田区1-1', documentSerial: 'AB1' },
        hasher,
      ),
      simType: 'voice',
      status: 'active',
      salesChannel: 'shop',
      outlet: 'S1',
      contractedAt: new Date('2025-04-01T00:00:00+09:00'),
    });
    expect(target.upserted[2]).toMatchObject({ holderType: 'corporation', corporateNumber: '7000012050002' });
    // No raw identity reaches the store.
    expect(JSON.stringify(target.upserted)).not.toContain('山田');
  });

  it('refuses a file whose header has an unknown or missing column before writing anything', async () => {
    const target = fakeTarget();
    await expect(
      importLines(target, ORG_A, 'line_id,simtype\nL1,voice\n', { format: 'csv' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'header.1' }),
        expect.objectContaining({ path: 'header', message: 'needs a sim_type column' }),
      ]),
    });
    expect(target.upserted).toEqual([]);
  });

  it('imports JSON lines, naming the JSON field of each rejection', async () => {
    const jsonl = [
      JSON.stringify({ lineId: 'J1', holderKey: KEY, simType: 'voice' }),
      '',
      JSON.stringify({
        lineId: 'J2',
        holder: { name: '佐藤 花子', birthDate: 'yesterday', address: '大阪' },
        simType: 'voice',
      }),
      '{not json',
      '[1,2]',
      JSON.stringify({ lineId: 'J3', holderKey: KEY, simType: 'voice', colour: 'red' }),
      JSON.stringify({
        lineId: 'J4',
        holderKey: KEY,
        holder: { name: 'a', birthDate: '1980-01-01', address: 'b' },
        simType: 'voice',
      }),
    ].join('\n');
    const result = await importLines(fakeTarget(), ORG_A, jsonl, { format: 'jsonl' });
    expect(result).toMatchObject({ processed: 6, imported: 1, rejected: 5 });
    expect(result.rejections.map((r) => [r.line, r.field])).toEqual([
      [3, 'holder.birthDate'],
      [4, '(line)'],
      [5, '(line)'],
      [6, 'colour'],
      [7, 'holderKey'],
    ]);
  });
});

describe('importLines: no line is lost (property)', () => {
  type Kind = 'person' | 'key' | 'corp' | 'badSim' | 'noHolder' | 'badDate' | 'short';
  const VALID: readonly Kind[] = ['person', 'key', 'corp'];
  const cellText = fc.string({ maxLength: 8 }).map((s) => s.replace(/\|/g, '/'));
  const row = fc.record({
    kind: fc.constantFrom<Kind>('person', 'key', 'corp', 'badSim', 'noHolder', 'badDate', 'short'),
    id: fc.integer({ min: 1, max: 40 }),
    name: cellText,
    address: cellText,
  });

  const cells = (r: { kind: Kind; id: number; name: string; address: string }): string[] => {
    const name = `名${r.name}`;
    const address = `住所${r.address}`;
    const lineId = `P${r.id}`;
    switch (r.kind) {
      case 'person':
        return [lineId, name, '1980-01-02', address, '', '', '', '', 'voice', 'active', '', '', '', ''];
      case 'key':
        return [lineId, '', '', '', '', KEY, '', '', 'data', 'active', '', '', '', ''];
      case 'corp':
        return [lineId, '', '', '', '', '', 'corporation', '7000012050002', 'data', 'active', '', '', '', ''];
      case 'badSim':
        return [lineId, name, '1980-01-02', address, '', '', '', '', 'pager', 'active', '', '', '', ''];
      case 'noHolder':
        return [lineId, '', '', '', '', '', '', '', 'voice', 'active', '', '', '', ''];
      case 'badDate':
        return [lineId, name, '1980-13-40', address, '', '', '', '', 'voice', 'active', '', '', '', ''];
      case 'short':
        return [lineId, name];
    }
  };

  it('every data line is imported, updated or rejected with its own line number; valid ones in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        async (rows, batchSize, writers) => {
          const records = rows.map((r) => formatCsvRow(cells(r)));
          // Physical line of each record: quoted cells may hold line breaks.
          const lineOf: number[] = [];
          let line = 2;
          for (const text of records) {
            lineOf.push(line);
            line += text.split(/\r\n|\n|\r(?!\n)/).length;
          }
          const target = fakeTarget();
          const progress: LineImportProgress[] = [];
          const result = await importLines(target, ORG_A, [HEADER, ...records].join('\n'), {
            format: 'csv',
            batchSize,
            writers,
            onProgress: (p) => progress.push(p),
          });
          const valid = rows.flatMap((r, i) => (VALID.includes(r.kind) ? [i] : []));
          expect(result.processed).toBe(rows.length);
          expect(result.imported + result.updated + result.rejected).toBe(rows.length);
          expect(result.rejections.map((r) => r.line)).toEqual(
            rows.flatMap((r, i) => (VALID.includes(r.kind) ? [] : [lineOf[i]])),
          );
          if (writers === 1)
            expect(target.upserted.map((l) => l.lineId)).toEqual(valid.map((i) => `P${rows[i]!.id}`));
          // Batches split over writers by line id: each line's events still apply in input order.
          const state = (kind: Kind) =>
            ({ person: 'voice/person', key: 'data/person', corp: 'data/corporation' })[kind as 'person'];
          const expected = new Map(valid.map((i) => [`P${rows[i]!.id}`, state(rows[i]!.kind)]));
          const applied = new Map(target.upserted.map((l) => [l.lineId, `${l.simType}/${l.holderType}`]));
          expect(applied).toEqual(expected);
          expect(target.upserted).toHaveLength(valid.length);
          expect(result.imported).toBe(new Set(valid.map((i) => rows[i]!.id)).size);
          expect(progress.at(-1)).toEqual({
            processed: result.processed,
            imported: result.imported,
            updated: result.updated,
            rejected: result.rejected,
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

for (const backend of storeBackends())
  describe(`importLines into the database (${backend.name})`, () => {
    let store: Store;
    let contract: ContractStore;
    beforeAll(async () => {
      store = await backend.open();
      contract = new ContractStore({ db: store.db, hasher, decisions: store.decisions });
    });
    afterAll(() => store.close());

    it('upserts in batches of 500 with progress, the latest state of a repeated line winning', async () => {
      const lines = ['line_id,holder_key,sim_type,status,cancelled_at'];
      for (let i = 0; i < 1_234; i++) lines.push(`B${i},${KEY},voice,active,`);
      // Line B7 appears again (cancelled) inside the same batch, and B1000 in a later one.
      lines.splice(20, 0, `B7,${KEY},voice,cancelled,2026-01-10`);
      lines.push(`B1000,${KEY},data,active,`);
      const progress: number[] = [];
      const result = await importLines(contract.lines, ORG_A, lines.join('\n'), {
        format: 'csv',
        batchSize: 500,
        onProgress: (p) => progress.push(p.processed),
      });
      expect(result).toMatchObject({ processed: 1_236, imported: 1_234, updated: 2, rejected: 0 });
      expect(progress).toEqual([500, 1000, 1236]);
      expect(await contract.lines.held(ORG_A, KEY)).toEqual({ voice: 1_232, data_sms: 0, data: 1 });
      const b7 = await store.db
        .$extendTables<ContractTables>()
        .selectFrom('contract_lines')
        .select(['status', 'cancelled_at'])
        .where('org_id', '=', ORG_A)
        .where('line_id', '=', 'B7')
        .executeTakeFirstOrThrow();
      expect(b7.status).toBe('cancelled');
    });

    it('property: the table holds exactly the distinct valid line ids, whatever the batch size', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ id: fc.integer({ min: 0, max: 30 }), ok: fc.boolean() }), { maxLength: 40 }),
          fc.integer({ min: 1, max: 9 }),
          async (rows, batchSize) => {
            const org = `org_prop_${run++}`;
            const csv = [
              'line_id,holder_key,sim_type',
              ...rows.map((r) => `X${r.id},${KEY},${r.ok ? 'voice' : 'tv'}`),
            ];
            const result = await importLines(contract.lines, org, csv.join('\n'), {
              format: 'csv',
              batchSize,
            });
            const stored = await store.db
              .$extendTables<ContractTables>()
              .selectFrom('contract_lines')
              .select('line_id')
              .where('org_id', '=', org)
              .execute();
            const expected = new Set(rows.filter((r) => r.ok).map((r) => `X${r.id}`));
            expect(new Set(stored.map((s) => s.line_id))).toEqual(expected);
            expect(result.imported).toBe(expected.size);
            expect(result.rejected).toBe(rows.filter((r) => !r.ok).length);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
