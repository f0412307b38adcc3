import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BulkSpec,
  bulkImport,
  type ImportProgress,
  type ImportRejection,
  KEPT_REJECTIONS,
  MAX_LINE,
  splitLines,
} from './bulk-import.ts';

/** A spec over `{ id }` rows: an id of digits is valid, anything else is rejected naming `id`. */
function spec(overrides: Partial<BulkSpec<string>> = {}): BulkSpec<string> & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    format: 'csv',
    columns: ['id', 'note'],
    required: ['id'],
    cell: (row, column, cell) => {
      row[column] = cell;
    },
    prepare: (row) => {
      const id = String(row.id ?? '');
      if (!/^\d+$/.test(id)) {
        throw new Error('bad id');
      }
      return id;
    },
    upsertMany: async (items) => {
      written.push(...items);
      return items.map(() => true);
    },
    batchSize: 100,
    ...overrides,
  };
}

/** UTF-8 chunks of `text`, `size` bytes each (characters split across chunks). */
async function* bytesOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const all = new TextEncoder().encode(text);
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size);
}

describe('bulkImport: streaming', () => {
  it('reads a byte stream split anywhere, multi-byte characters and quoted line breaks included', async () => {
    const text = 'id,note\r\n1,"東京\n都"\r\n2,ü\nx,bad\n3,\n';
    for (const size of [1, 2, 3, 5, 64]) {
      const s = spec();
      const result = await bulkImport({ bytes: bytesOf(text, size) }, s);
      expect(result).toMatchObject({ processed: 4, imported: 3, rejected: 1, rejections: [{ line: 5 }] });
      expect(s.written).toEqual(['1', '2', '3']);
    }
  });

  it('does not read the stream ahead of the database: one batch written while the next is read', async () => {
    let read = 0;
    let maxAhead = 0;
    let written = 0;
    async function* lines() {
      yield 'id\n';
      for (let i = 0; i < 2_000; i++) {
        read++;
        maxAhead = Math.max(maxAhead, read - written);
        yield `${i}\n`;
      }
    }
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await bulkImport(
      { bytes: lines() },
      spec({
        batchSize: 100,
        upsertMany: async (items) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await new Promise((r) => setTimeout(r, 2));
          inFlight--;
          written += items.length;
          return items.map(() => true);
        },
      }),
    );
    expect(result.imported).toBe(2_000);
    expect(maxInFlight).toBe(1);
    // At most the batch being written, the one being filled and the line in hand.
    expect(maxAhead).toBeLessThanOrEqual(201);
  });

  it('splits a batch over writers by key: statements at once, each key in one of them, every row once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const written: string[] = [];
    const parts: string[][] = [];
    const text = `id\n${Array.from({ length: 1_000 }, (_, i) => i % 300).join('\n')}\n`;
    const result = await bulkImport(
      text,
      spec({
        batchSize: 200,
        writers: 3,
        keyOf: (id) => id,
        upsertMany: async (items) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          parts.push([...items]);
          await new Promise((r) => setTimeout(r, 1));
          inFlight--;
          written.push(...items);
          return items.map(() => true);
        },
      }),
    );
    expect(result).toMatchObject({ processed: 1_000, imported: 1_000 });
    expect(written.sort()).toEqual(Array.from({ length: 1_000 }, (_, i) => String(i % 300)).sort());
    expect(maxInFlight).toBe(3);
    // A key never goes to two statements of one batch.
    const batchOf = new Map<string, number>();
    parts.forEach((part, n) => {
      for (const id of part) {
        const batch = Math.floor(n / 3);
        expect(batchOf.get(`${batch}:${id}`) ?? n).toBe(n);
        batchOf.set(`${batch}:${id}`, n);
      }
    });
  });

  it('keeps the first 1,000 rejections and hands every one to the sink, in order, with bounded memory', async () => {
    const lines = 1_000_000;
    async function* file() {
      yield 'id,note\n';
      // ~33 MB of lines with one field too many, generated as read.
      for (let i = 0; i < lines; i += 1_000) {
        let chunk = '';
        for (let j = i; j < i + 1_000; j++) chunk += `bad${j},x,${'y'.repeat(20)}\n`;
        yield chunk;
      }
    }
    let sunk = 0;
    let lastLine = 0;
    let ordered = true;
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    };
    const result = await bulkImport(
      { bytes: file() },
      spec({
        rejections: {
          write: async (batch: readonly ImportRejection[]) => {
            for (const r of batch) {
              if (r.line !== lastLine + 1 && lastLine !== 0) ordered = false;
              lastLine = r.line;
            }
            sunk += batch.length;
            sample();
          },
        },
      }),
    );
    expect(result).toMatchObject({ processed: lines, imported: 0, rejected: lines });
    expect(result.rejections).toHaveLength(KEPT_REJECTIONS);
    expect(result.rejections[0]).toMatchObject({ line: 2, field: '(line)' });
    expect(sunk).toBe(lines);
    expect(ordered).toBe(true);
    expect(lastLine).toBe(lines + 1);
    // Keeping every rejection (the old way) takes well over 100 MB here.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('rejects a line or record over 1 MiB without holding it, and goes on', async () => {
    const long = 'z'.repeat(MAX_LINE + 10);
    const jsonl = `{"id":"1"}\n"${long}"\n{"id":"2"}\n`;
    const s = spec({ format: 'jsonl', prepare: (row) => String(row.id) });
    const json = await bulkImport({ bytes: bytesOf(jsonl, 65_536) }, s);
    expect(json).toMatchObject({ processed: 3, imported: 2, rejected: 1 });
    expect(json.rejections[0]).toMatchObject({ line: 2, field: '(line)' });
    expect(json.rejections[0]!.message).toContain('longer than');

    const csv = `id,note\n1,a\n"${long}\n2,b\n`;
    const c = spec();
    const result = await bulkImport({ bytes: bytesOf(csv, 65_536) }, c);
    expect(result.rejections[0]).toMatchObject({ line: 3, field: '(line)' });
    expect(result.rejections[0]!.message).toContain('longer than');
    expect(c.written).toEqual(['1', '2']);
  });

  it('rejects a line that is not UTF-8 (a Shift_JIS file), naming the column, never imports it garbled', async () => {
    // Found by H8: a Shift_JIS CSV from Excel was decoded to U+FFFD and imported, its
    // holders keyed on the garbled text. 山田 in Shift_JIS is 8E 52 93 63.
    const sjis = Uint8Array.from([0x8e, 0x52, 0x93, 0x63]);
    const utf8 = (t: string) => new TextEncoder().encode(t);
    const csvBytes = async function* () {
      yield utf8('id,note\n1,ok\n2,');
      yield sjis;
      yield utf8('\n3,東京\n');
    };
    const c = spec();
    const csv = await bulkImport({ bytes: csvBytes() }, c);
    expect(csv).toMatchObject({ processed: 3, imported: 2, rejected: 1 });
    expect(csv.rejections[0]).toMatchObject({ line: 3, field: 'note' });
    expect(csv.rejections[0]!.message).toContain('UTF-8');
    expect(c.written).toEqual(['1', '3']);

    const jsonBytes = async function* () {
      yield utf8('{"id":"1"}\n{"id":"2","note":"');
      yield sjis;
      yield utf8('"}\n');
    };
    const j = spec({ format: 'jsonl', prepare: (row) => String(row.id) });
    const json = await bulkImport({ bytes: jsonBytes() }, j);
    expect(json).toMatchObject({ processed: 2, imported: 1, rejected: 1 });
    expect(json.rejections[0]).toMatchObject({ line: 2, field: '(line)' });
    expect(json.rejections[0]!.message).toContain('UTF-8');
    expect(j.written).toEqual(['1']);
  });

  it('clips what a rejection quotes from the input', async () => {
    const key = 'k'.repeat(100_000);
    const s = spec({
      format: 'jsonl',
      prepare: () => {
        throw new Error(`unknown key ${key}`);
      },
    });
    const result = await bulkImport(`{"a":1}\n`, s);
    expect(result.rejections[0]!.message.length).toBeLessThanOrEqual(1_000);
    const nul = await bulkImport(
      `{"a":1}\n`,
      spec({
        format: 'jsonl',
        prepare: () => {
          throw new Error('unknown key a\u0000b');
        },
      }),
    );
    expect(nul.rejections[0]!.message).toBe('unknown key a\uFFFDb');
  });

  it('reports a failed write after what is under way has finished, never as a silent drop', async () => {
    let calls = 0;
    const progress: ImportProgress[] = [];
    const error = await bulkImport(
      `id\n${Array.from({ length: 450 }, (_, i) => i).join('\n')}\n`,
      spec({
        upsertMany: async (items) => {
          if (++calls === 2) throw new Error('database gone');
          return items.map(() => true);
        },
        onProgress: (p) => progress.push(p),
      }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('database gone');
    expect(progress.at(-1)?.imported).toBe(100);
  });
});

describe('splitLines (property)', () => {
  it('gives the lines of the text, numbered, however it is chunked', async () => {
    const unit = fc.constantFrom('a', 'あ', '\n', '\r\n', '\r', ' ', '{', '"');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        async (text, sizes) => {
          async function* chunks() {
            let i = 0;
            let k = 0;
            while (i < text.length) {
              const n = sizes[k++ % sizes.length]!;
              yield text.slice(i, i + n);
              i += n;
            }
          }
          const got: { line: number; text: string | undefined }[] = [];
          for await (const batch of splitLines(chunks())) got.push(...batch);
          const expected = text.split('\n').map((t) => (t.endsWith('\r') ? t.slice(0, -1) : t));
          if (text.endsWith('\n') || text === '') expected.pop();
          expect(got.map((l) => l.text)).toEqual(expected);
          expect(got.map((l) => l.line)).toEqual(expected.map((_, i) => i + 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});
