import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { registerChannelCommands } from '../../src/cli/operation-commands.ts';
import { loadConfig } from '../../src/config.ts';
import { type ChannelModule, defineOperation, MamoruError } from '../../src/core/index.ts';
import { bulkImport } from '../../src/intel/bulk-import.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { bearer } from '../helpers/server.ts';

/**
 * Issue 8, item 2: a channel's operations are served and commanded
 * generically. A small channel defined here, with a note store in its
 * factory's closure, declares four operations (JSON, GET query, a path
 * parameter, records); each gets its route, its OpenAPI entry, its
 * permission check, its 400 naming the field, and its CLI command.
 */
interface Note {
  readonly id: string;
  readonly text: string;
  readonly count: number;
  released: boolean;
}

/** What the `wait` operation saw of its abort signal, one entry a call. */
const hungUp: boolean[] = [];

function probeChannel(): ChannelModule<{ text: string }> {
  const notes = new Map<string, Note>();
  const noteSchema = z.object({ id: z.string(), text: z.string(), count: z.number(), released: z.boolean() });
  const add = (orgId: string, text: string, count: number) => {
    const id = `${orgId}:${text}`;
    const known = notes.has(id);
    notes.set(id, { id, text, count, released: false });
    return { note: notes.get(id)!, created: !known };
  };
  return {
    name: 'probe',
    title: { ja: '試験チャネル', en: 'Probe channel' },
    schema: z.object({ text: z.string() }),
    signals: [],
    detectors: [],
    extract: () => [],
    defaultPolicy: { id: 'probe.default', channel: 'probe', thresholds: { block: 9 } },
    example: { text: 'hello' },
    operations: [
      defineOperation({
        name: 'add-note',
        aliases: ['note'],
        path: 'notes',
        permission: 'indicators:write',
        summary: { ja: 'メモを追加', en: 'Add a note' },
        input: {
          kind: 'json',
          schema: z.object({ text: z.string().min(1).max(50), count: z.number().int().min(1) }).strict(),
          examples: { one: { summary: 'one note', value: { text: 'first', count: 1 } } },
        },
        output: z.object({ note: noteSchema, created: z.boolean() }),
        status: (out) => (out.created ? 201 : 200),
        run: async (input, ctx) => {
          // A refusal found after the schema (as an identity that cannot be keyed) names the input's field.
          if (input.text === 'forbidden')
            throw new MamoruError('validation_failed', 'text: not this one', {
              issues: [{ path: 'text', message: 'not this one' }],
            });
          return add(ctx.actor.orgId, input.text, input.count);
        },
      }),
      defineOperation({
        name: 'list-notes',
        method: 'GET',
        path: 'notes',
        permission: 'indicators:read',
        summary: { ja: 'メモの一覧', en: 'List notes' },
        input: {
          kind: 'query',
          schema: z
            .object({
              prefix: z.string().max(20).optional().describe('先頭 / starts with'),
              limit: z.coerce.number().int().min(1).max(10).default(10),
            })
            .strict(),
        },
        output: z.object({ items: z.array(noteSchema) }),
        run: async (query, ctx) => ({
          items: [...notes.values()]
            .filter((n) => n.id.startsWith(`${ctx.actor.orgId}:${query.prefix ?? ''}`))
            .slice(0, query.limit),
        }),
      }),
      defineOperation({
        name: 'release-note',
        method: 'POST',
        path: 'notes/:id/release',
        permission: 'indicators:write',
        summary: { ja: 'メモを解放', en: 'Release a note' },
        input: { kind: 'query', schema: z.object({}).strict() },
        output: noteSchema,
        run: async (_query, ctx) => {
          const note = notes.get(ctx.params.id ?? '');
          if (!note?.id.startsWith(`${ctx.actor.orgId}:`))
            throw new MamoruError('not_found', `note ${ctx.params.id} not found`, {
              issues: [{ path: 'params.id', message: 'no such note' }],
            });
          note.released = true;
          return note;
        },
      }),
      defineOperation({
        name: 'wait',
        method: 'GET',
        path: 'wait',
        permission: 'indicators:read',
        summary: { ja: '待つ', en: 'Wait until the caller hangs up' },
        input: { kind: 'query', schema: z.object({}) },
        output: z.object({ aborted: z.boolean() }),
        run: (_query, ctx) =>
          new Promise((resolve) => {
            const done = () => {
              hungUp.push(ctx.signal.aborted);
              resolve({ aborted: ctx.signal.aborted });
            };
            ctx.signal.addEventListener('abort', done, { once: true });
            setTimeout(done, 5_000);
          }),
      }),
      defineOperation({
        name: 'import-notes',
        path: 'notes/import',
        permission: 'indicators:write',
        summary: { ja: 'メモの一括取り込み', en: 'Bulk-load notes' },
        input: {
          kind: 'records',
          importKind: 'probe-notes',
          formats: {
            csv: { description: 'text,count', example: 'text,count\na,1\nb,2\n' },
            jsonl: { description: 'one note a line', example: '{"text":"c","count":3}\n' },
          },
        },
        run: (records, ctx) =>
          bulkImport(records, {
            format: records.format,
            columns: ['text', 'count'],
            required: ['text'],
            cell: (row, column, cell) => {
              row[column] = column === 'count' ? Number(cell) : cell;
            },
            prepare: (row) => {
              const text = row.text;
              const count = row.count ?? 1;
              if (typeof text !== 'string' || text === '')
                throw new MamoruError('validation_failed', 'text', {
                  issues: [{ path: 'text', message: 'required' }],
                });
              if (typeof count !== 'number' || !Number.isInteger(count) || count < 1)
                throw new MamoruError('validation_failed', 'count', {
                  issues: [{ path: 'count', message: 'must be a positive integer' }],
                });
              return { text, count };
            },
            upsertMany: async (items) => items.map((i) => add(ctx.actor.orgId, i.text, i.count).created),
            batchSize: 100,
            onProgress: ctx.onProgress,
            rejections: ctx.rejections,
          }),
      }),
    ],
  };
}

let mamoru: Mamoru;
let app: App;
let token: string;
let url: string;
let dir: string;

const send = (method: 'GET' | 'POST', path: string, key: string, payload?: unknown, type?: string) =>
  app.inject({
    method,
    url: path,
    headers: { ...bearer(key), ...(type ? { 'content-type': type } : {}) },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

async function keyOf(role: string): Promise<string> {
  const res = await send('POST', '/v1/keys', token, { name: role, role });
  return res.json().token as string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-operations-'));
  const metrics = new Metrics({ defaults: false });
  mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://', demo: 'false' }, {}), {
    metrics,
    channels: [probeChannel()],
  });
  const boot = await mamoru.bootstrap({ demo: false });
  token = boot!.token;
  app = await buildServer({ mamoru, metrics, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await mamoru.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a channel operation over HTTP', () => {
  it('is routed at /v1/<channel>/<path>: 201 when it creates, 200 when not', async () => {
    const first = await send('POST', '/v1/probe/notes', token, { text: 'alpha', count: 2 });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ created: true, note: { text: 'alpha', count: 2 } });
    const again = await send('POST', '/v1/probe/notes', token, { text: 'alpha', count: 3 });
    expect(again.statusCode).toBe(200);
    const list = await send('GET', '/v1/probe/notes?prefix=al&limit=5', token);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ text: 'alpha', count: 3 })]);
  });

  it('answers 400 naming each field at fault under body. or query., never running the operation', async () => {
    const bad = await send('POST', '/v1/probe/notes', token, { text: '', count: 1.5, colour: 'red' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.text', 'body.count', 'body.colour']));
    for (const e of bad.json().errors) expect(e.ja, e.path).toBeTruthy();
    const refused = await send('POST', '/v1/probe/notes', token, { text: 'forbidden', count: 1 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual([expect.objectContaining({ path: 'body.text' })]);
    const notJson = await send(
      'POST',
      '/v1/probe/notes',
      token,
      'text=a',
      'application/x-www-form-urlencoded',
    );
    expect(notJson.statusCode).toBe(415);
    const query = await send('GET', '/v1/probe/notes?limit=x&colour=red', token);
    expect(query.statusCode).toBe(400);
    expect(query.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['query.limit', 'query.colour']),
    );
    const list = await send('GET', '/v1/probe/notes', token);
    expect(list.json().items.map((n: Note) => n.text)).not.toContain('forbidden');
  });

  it("takes the operation's permission: 403 for a role without it", async () => {
    const reviewer = await keyOf('reviewer');
    const res = await send('POST', '/v1/probe/notes', reviewer, { text: 'beta', count: 1 });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('indicators:write');
    // Forbidden before validated: a role without the permission learns nothing of the input's shape.
    expect((await send('POST', '/v1/probe/notes', reviewer, { text: '' })).statusCode).toBe(403);
    // The read operation takes the read permission, which a reviewer holds.
    expect((await send('GET', '/v1/probe/notes', reviewer)).statusCode).toBe(200);
    expect((await send('GET', '/v1/probe/notes', await keyOf('agent'))).statusCode).toBe(403);
  });

  it('reads path parameters: 404 for an id that is not there', async () => {
    await send('POST', '/v1/probe/notes', token, { text: 'gamma', count: 1 });
    const id = encodeURIComponent(
      (await send('GET', '/v1/probe/notes?prefix=gamma', token)).json().items[0].id,
    );
    const released = await send('POST', `/v1/probe/notes/${id}/release`, token);
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toMatchObject({ text: 'gamma', released: true });
    const missing = await send('POST', '/v1/probe/notes/nope/release', token);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors).toEqual([expect.objectContaining({ path: 'params.id' })]);
  });

  it('streams a records input into the import report, read with the operation permission', async () => {
    const res = await send('POST', '/v1/probe/notes/import', token, 'text,count\nd,1\n,2\ne,0\n', 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({ processed: 3, imported: 1, rejected: 2 });
    expect(result.rejections).toEqual([
      expect.objectContaining({ line: 3, field: 'text' }),
      expect.objectContaining({ line: 4, field: 'count' }),
    ]);
    const report = await send('GET', `/v1/imports/${result.importId}`, token);
    expect(report.json()).toMatchObject({ kind: 'probe-notes', rejected: 2, status: 'complete' });
    const jsonl = await send(
      'POST',
      '/v1/probe/notes/import',
      token,
      '{"text":"f","count":2}\n',
      'application/x-ndjson',
    );
    expect(jsonl.json()).toMatchObject({ imported: 1, rejected: 0 });
    // Reading the report takes the operation's permission; so does the import.
    const reviewer = await keyOf('reviewer');
    expect((await send('GET', `/v1/imports/${result.importId}`, reviewer)).statusCode).toBe(403);
    expect((await send('POST', '/v1/probe/notes/import', reviewer, 'text\ng\n', 'text/csv')).statusCode).toBe(
      403,
    );
    expect((await send('POST', '/v1/probe/notes/import', token, '<x/>', 'application/xml')).statusCode).toBe(
      415,
    );
  });

  it('aborts the signal of an operation whose caller hangs up', async () => {
    const caller = new AbortController();
    const call = fetch(`${url}/v1/probe/wait`, { headers: bearer(token), signal: caller.signal });
    await new Promise((r) => setTimeout(r, 200));
    caller.abort();
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(hungUp).toEqual([true]), { timeout: 3_000 });
  });

  it('documents each operation in OpenAPI: tag, summary, examples, parameters, media types, answers', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const add = doc.paths['/v1/probe/notes'].post;
    expect(add.tags).toEqual(['probe']);
    expect(add.summary).toBe('メモを追加 / Add a note');
    expect(add.requestBody.content['application/json'].examples.one.value).toEqual({
      text: 'first',
      count: 1,
    });
    expect(Object.keys(add.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '403']));
    const list = doc.paths['/v1/probe/notes'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['query:prefix', 'query:limit']),
    );
    expect(Object.keys(list.responses)).not.toContain('201');
    const release = doc.paths['/v1/probe/notes/{id}/release'].post;
    expect(release.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'id' })]),
    );
    const importing = doc.paths['/v1/probe/notes/import'].post;
    expect(Object.keys(importing.requestBody.content)).toEqual(['text/csv', 'application/x-ndjson']);
    expect(importing.requestBody.content['text/csv'].example).toBe('text,count\na,1\nb,2\n');
    expect(importing.responses['200'].content['application/json'].schema.properties).toHaveProperty(
      'importId',
    );
  });
});

describe('a channel operation on the command line', () => {
  /** Run `mamoru <args>` in process against the server above (through its API), capturing stdout. */
  async function cli(args: readonly string[]): Promise<{ out: string; code: number | undefined }> {
    const program = new Command('mamoru').exitOverride();
    registerChannelCommands(program, [probeChannel()]);
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      await program.parseAsync([...args, '--url', url, '--api-key', token], { from: 'user' });
      return { out, code: process.exitCode as number | undefined };
    } finally {
      write.mockRestore();
      err.mockRestore();
      process.exitCode = before;
    }
  }

  it('gives the channel a command group: screen and one command per operation, with aliases', () => {
    const program = new Command('mamoru');
    registerChannelCommands(program, [probeChannel()]);
    const group = program.commands.find((c) => c.name() === 'probe')!;
    expect(group.commands.map((c) => c.name())).toEqual([
      'screen',
      'add-note',
      'list-notes',
      'release-note',
      'wait',
      'import-notes',
    ]);
    const add = group.commands.find((c) => c.name() === 'add-note')!;
    expect(add.aliases()).toEqual(['note']);
    expect(add.description()).toContain('メモを追加');
    const list = group.commands.find((c) => c.name() === 'list-notes')!;
    expect(list.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--prefix', '--limit']));
    const release = group.commands.find((c) => c.name() === 'release-note')!;
    expect(release.registeredArguments.map((a) => a.name())).toEqual(['id']);
  });

  it('runs each kind through the API: a JSON file, a query, a path parameter, a records file', async () => {
    const file = join(dir, 'note.json');
    await writeFile(file, JSON.stringify({ text: 'delta', count: 4 }));
    const added = await cli(['probe', 'note', file]);
    expect(JSON.parse(added.out)).toMatchObject({ created: true, note: { text: 'delta', count: 4 } });
    const listed = await cli(['probe', 'list-notes', '--prefix', 'delta']);
    const [note] = JSON.parse(listed.out).items;
    expect(note).toMatchObject({ text: 'delta' });
    const released = await cli(['probe', 'release-note', note.id]);
    expect(JSON.parse(released.out)).toMatchObject({ text: 'delta', released: true });
    const csv = join(dir, 'notes.csv');
    await writeFile(csv, 'text,count\nepsilon,1\nzeta,x\n');
    const imported = await cli(['probe', 'import-notes', csv]);
    expect(JSON.parse(imported.out)).toMatchObject({ imported: 1, rejected: 1 });
    expect(imported.code).toBe(4);
  });

  it('refuses a malformed operation when the commands are built', () => {
    const channel = probeChannel();
    const broken = { ...channel, operations: [{ ...channel.operations![0]!, name: 'Add_Note' }] };
    expect(() => registerChannelCommands(new Command('mamoru'), [broken])).toThrow(/kebab-case/);
    const clash = { ...channel, name: 'intel' };
    const program = new Command('mamoru');
    program.command('intel');
    expect(() => registerChannelCommands(program, [clash])).toThrow(/intel/);
  });
});
