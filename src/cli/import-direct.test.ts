import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../cases/roles.ts';
import { loadConfig } from '../config.ts';
import { importIndicators } from '../intel/import-indicators.ts';
import { ImportReports } from '../intel/import-reports.ts';
import { Mamoru } from '../mamoru.ts';
import { importFileDirect } from './import-direct.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let mamoru: Mamoru;
let actor: Actor;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-import-file-'));
  mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}));
  const boot = await mamoru.bootstrap({ demo: false });
  actor = { id: 'cli:test', role: 'admin', orgId: boot!.orgId };
});
afterAll(async () => {
  await mamoru.close();
  await rm(dir, { recursive: true, force: true });
});

describe('importFileDirect', () => {
  it('loses no line with a slow database: every line read is imported or rejected, and counted', async () => {
    const lines = 12_000;
    const rows = ['type,value,verdict'];
    let bad = 0;
    for (let i = 0; i < lines; i++) {
      if (i % 7 === 3) {
        bad++;
        rows.push(`phone,not-a-phone-${i},malicious`);
      } else rows.push(`domain,slow${i}.example,malicious`);
    }
    const file = join(dir, 'slow.csv');
    await writeFile(file, `${rows.join('\n')}\n`);
    let statements = 0;
    const result = await importFileDirect(
      mamoru,
      actor,
      file,
      'csv',
      'indicators',
      async (m, a, { lines: input, format, onProgress, rejections }) => {
        // The target takes a while to be ready (the old CLI read the file meanwhile, and lost it)…
        await sleep(300);
        const target = await m.importTarget(a.orgId, undefined, '--scope');
        return importIndicators(
          {
            prepare: (row) => target.prepare(row),
            // …and every statement waits 20 ms more.
            upsertMany: async (org, items) => {
              statements++;
              await sleep(20);
              return target.upsertMany(org, items);
            },
          },
          a.orgId,
          input,
          { format, onProgress, rejections, defaults: { source: 'slow-db' }, batchSize: 1_000 },
        );
      },
    );
    expect(result.processed).toBe(lines);
    expect(result.imported + result.updated + result.rejected).toBe(lines);
    expect(result.rejected).toBe(bad);
    expect(result.imported).toBe(lines - bad);
    expect(statements).toBeGreaterThanOrEqual(Math.ceil((lines - bad) / 1_000));
    const stored = await mamoru.store.db
      .selectFrom('indicators')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', actor.orgId)
      .where('source', '=', 'slow-db')
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(lines - bad);
    // The full report holds every rejection; the result the first 1,000.
    expect(result.rejections).toHaveLength(1_000);
    const reports = new ImportReports(mamoru.store.db);
    expect(await reports.get(actor.orgId, result.importId)).toMatchObject({
      kind: 'indicators',
      status: 'complete',
      actor: 'cli:test',
      processed: lines,
      rejected: bad,
    });
    let reported = 0;
    for await (const page of reports.allRejections(actor.orgId, result.importId)) reported += page.length;
    expect(reported).toBe(bad);
  }, 60_000);

  it('names an unreadable file', async () => {
    await expect(
      importFileDirect(mamoru, actor, join(dir, 'missing.csv'), 'csv', 'indicators', async () => {
        throw new Error('not reached');
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', issues: [{ path: 'file' }] });
  });

  it('records a failed import with its error and the counts of what was written', async () => {
    const file = join(dir, 'fails.csv');
    const rows = Array.from({ length: 250 }, (_, i) =>
      i % 50 === 0 ? `phone,x${i}` : `domain,f${i}.example`,
    );
    await writeFile(file, `type,value\n${rows.join('\n')}\n`);
    const failing: Actor = { ...actor, id: 'cli:fails' };
    let calls = 0;
    const error = await importFileDirect(mamoru, failing, file, 'csv', 'indicators', async (m, a, f) => {
      const target = await m.importTarget(a.orgId, undefined, '--scope');
      return importIndicators(
        {
          prepare: (row) => target.prepare(row),
          upsertMany: async (org, items) => {
            if (++calls === 2) throw new Error('database gone');
            return target.upsertMany(org, items);
          },
        },
        a.orgId,
        f.lines,
        { format: f.format, onProgress: f.onProgress, rejections: f.rejections, batchSize: 100, writers: 1 },
      );
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('database gone');
    const rows2 = await mamoru.store.db
      .selectFrom('import_reports')
      .selectAll()
      .where('org_id', '=', actor.orgId)
      .where('actor', '=', 'cli:fails')
      .execute();
    expect(rows2).toHaveLength(1);
    expect(rows2[0]).toMatchObject({ status: 'failed', error: 'database gone', imported: 100 });
  });
});
