import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, createOrg, startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let a: { orgId: string; token: string };
let b: { orgId: string; token: string };

beforeAll(async () => {
  server = await startTestServer({ demo: false });
  a = await createOrg(server, 'Bank A');
  b = await createOrg(server, 'Bank B');
});
afterAll(async () => server.close());

const inject = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  payload?: unknown,
  headers = {},
) =>
  server.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

describe('indicators API', () => {
  it('creates, refreshes, reads, updates and deletes, normalising the value', async () => {
    const created = await inject('POST', '/v1/indicators', a.token, {
      type: 'url',
      value: 'HTTP://Evil.EXAMPLE/a/../login#x',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().value).toBe('http://evil.example/login');
    const again = await inject('POST', '/v1/indicators', a.token, {
      type: 'url',
      value: 'http://evil.example/login',
      confidence: 90,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: created.json().id, confidence: 90 });
    const patched = await inject('PATCH', `/v1/indicators/${created.json().id}`, a.token, {
      verdict: 'suspicious',
    });
    expect(patched.json().verdict).toBe('suspicious');
    expect((await inject('DELETE', `/v1/indicators/${created.json().id}`, a.token)).statusCode).toBe(204);
    expect((await inject('GET', `/v1/indicators/${created.json().id}`, a.token)).statusCode).toBe(404);
  });

  it('stores card numbers only as keyed hashes', async () => {
    const res = await inject('POST', '/v1/indicators', a.token, {
      type: 'card',
      value: '4111 1111 1111 1111',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().value).toMatch(/^[0-9a-f]{64}$/);
    expect(res.json().hashed).toBe(true);
    expect(res.body).not.toContain('4111');
  });

  it('rejects a bad value naming the field', async () => {
    const res = await inject('POST', '/v1/indicators', a.token, {
      type: 'card',
      value: '4111 1111 1111 1112',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toContain('value');
  });

  it('imports CSV, reporting every rejected line with its number and field', async () => {
    const csv = [
      'type,value,verdict,confidence',
      'phone,090-1234-5678,malicious,80',
      'phone,not-a-number,malicious,80',
      'domain,phish.example,malicious,bad',
    ].join('\n');
    const res = await inject('POST', '/v1/indicators/import?source=feed', a.token, csv, {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ processed: 3, imported: 1, rejected: 2 });
    expect(body.rejections.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
      [3, 'value'],
      [4, 'confidence'],
    ]);
  });

  it('imports JSON lines', async () => {
    const lines = [
      JSON.stringify({ type: 'email', value: 'Scam@Example.com' }),
      JSON.stringify({ type: 'ip', value: '192.0.2.1' }),
    ].join('\n');
    const res = await inject('POST', '/v1/indicators/import', a.token, lines, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.json()).toMatchObject({ imported: 2, rejected: 0 });
  });

  it('only the operator organisation publishes public indicators', async () => {
    const res = await inject('POST', '/v1/indicators', a.token, {
      type: 'domain',
      value: 'x.example',
      scope: 'public',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().errors[0].path).toBe('body.scope');
    const line = JSON.stringify({ type: 'domain', value: 'y.example', scope: 'public' });
    const imp = await inject('POST', '/v1/indicators/import', a.token, line, {
      'content-type': 'application/x-ndjson',
    });
    expect(imp.json()).toMatchObject({ imported: 0, rejected: 1, rejections: [{ line: 1, field: 'scope' }] });
    const own = await inject('POST', '/v1/indicators', a.token, { type: 'domain', value: 'z.example' });
    const patch = await inject('PATCH', `/v1/indicators/${own.json().id}`, a.token, { scope: 'public' });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().errors[0].path).toBe('body.scope');
    const op = await inject('POST', '/v1/indicators', server.token, {
      type: 'domain',
      value: 'public-phish.example',
      scope: 'public',
    });
    expect(op.statusCode).toBe(201);
    const lookup = await inject('POST', '/v1/indicators/lookup', b.token, {
      type: 'domain',
      value: 'PUBLIC-PHISH.example',
    });
    expect(lookup.json().matches).toHaveLength(1);
  });

  it("shares partner-scope indicators with partners only, and they fire in the partner's screening", async () => {
    const ind = await inject('POST', '/v1/indicators', a.token, {
      type: 'phone',
      value: '03-9999-0000',
      scope: 'partners',
      verdict: 'malicious',
      confidence: 90,
    });
    expect(ind.statusCode).toBe(201);
    const before = await inject('POST', '/v1/indicators/lookup', b.token, {
      type: 'phone',
      value: '0399990000',
    });
    expect(before.json().matches).toEqual([]);
    const partner = await inject('POST', `/v1/orgs/${a.orgId}/partners`, server.token, {
      partnerOrgId: b.orgId,
    });
    expect(partner.statusCode).toBe(204);
    const after = await inject('POST', '/v1/indicators/lookup', b.token, {
      type: 'phone',
      value: '0399990000',
    });
    expect(after.json().matches).toHaveLength(1);
    const screen = await inject('POST', '/v1/screen/message', b.token, {
      kind: 'sms',
      sender: '0399990000',
      text: 'お支払いが確認できません',
    });
    expect(screen.json().hits.map((h: { signal: string }) => h.signal)).toContain('INTEL_MATCH_PHONE');
  });
});

describe('indicator import reports', () => {
  const badCsv = (n: number) => {
    const lines = ['type,value,verdict'];
    for (let i = 0; i < n; i++)
      lines.push(i % 500 === 0 ? `domain,ok${i}.example,malicious` : `phone,bad${i},malicious`);
    return lines.join('\n');
  };

  it('answers counts and the first 1,000 rejections; the report pages through every one, in order', async () => {
    const res = await inject('POST', '/v1/indicators/import', a.token, badCsv(2_500), {
      'content-type': 'text/csv',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ processed: 2_500, imported: 5, updated: 0, rejected: 2_495 });
    expect(body.rejections).toHaveLength(1_000);
    expect(body.rejections[0]).toMatchObject({ line: 3, field: 'value' });
    expect(body.importId).toMatch(/^imp_/);
    expect(body.rejectionsUrl).toBe(`/v1/imports/${body.importId}/rejections`);

    const report = await inject('GET', `/v1/imports/${body.importId}`, a.token);
    expect(report.json()).toMatchObject({
      id: body.importId,
      kind: 'indicators',
      status: 'complete',
      processed: 2_500,
      imported: 5,
      rejected: 2_495,
      error: null,
    });
    const lines: number[] = [];
    let url = `${body.rejectionsUrl}?limit=1000`;
    for (let pages = 0; pages < 10; pages++) {
      const page = await inject('GET', url, a.token);
      expect(page.statusCode, page.body).toBe(200);
      const { items, nextCursor } = page.json();
      lines.push(...items.map((r: { line: number }) => r.line));
      if (nextCursor === null) break;
      url = `${body.rejectionsUrl}?limit=1000&cursor=${nextCursor}`;
    }
    const expected = Array.from({ length: 2_500 }, (_, i) => i)
      .filter((i) => i % 500 !== 0)
      .map((i) => i + 2);
    expect(lines).toEqual(expected);
    expect(lines.slice(0, 1_000)).toEqual(body.rejections.map((r: { line: number }) => r.line));

    const ndjson = await inject('GET', body.rejectionsUrl, a.token, undefined, {
      accept: 'application/x-ndjson',
    });
    expect(ndjson.headers['content-type']).toContain('application/x-ndjson');
    const streamed = ndjson.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(streamed.map((r: { line: number }) => r.line)).toEqual(expected);
    expect(streamed[0]).toEqual(body.rejections[0]);
  });

  it('stores a rejection whose text holds NUL or a lone surrogate (shown as U+FFFD)', async () => {
    const lines = [
      '{"type":"domain","value":"n.example","a\\u0000b":1}',
      '{"type":"domain","value":"s.example","\\ud800":1}',
    ];
    const res = await inject('POST', '/v1/indicators/import', a.token, lines.join('\n'), {
      'content-type': 'application/x-ndjson',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ processed: 2, rejected: 2 });
    const page = await inject('GET', res.json().rejectionsUrl, a.token);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().items.map((r: { line: number }) => r.line)).toEqual([1, 2]);
    expect(page.json().items[0].message).not.toContain('\u0000');
  });

  it('reads a streamed body (chunked, no length) line by line', async () => {
    async function* chunks() {
      yield 'type,value\ndomain,str';
      yield 'eam1.example\nphone,';
      yield 'nope\n';
      for (let i = 0; i < 20; i++) yield `domain,s${i}.example\n`;
    }
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/indicators/import',
      headers: { ...bearer(a.token), 'content-type': 'text/csv' },
      payload: Readable.from(chunks()),
    });
    expect(res.json()).toMatchObject({ processed: 22, imported: 21, rejected: 1, rejections: [{ line: 3 }] });
  });

  it('keeps reports to their organisation and to the permission the import took', async () => {
    const res = await inject('POST', '/v1/indicators/import', a.token, badCsv(3), {
      'content-type': 'text/csv',
    });
    const { importId } = res.json();
    const other = await inject('GET', `/v1/imports/${importId}`, b.token);
    expect(other.statusCode).toBe(404);
    expect(other.json().errors[0].path).toBe('params.id');
    expect((await inject('GET', `/v1/imports/${importId}/rejections`, b.token)).statusCode).toBe(404);
    const reviewer = await createKey(server, a.token, 'reviewer');
    const forbidden = await inject('GET', `/v1/imports/${importId}/rejections`, reviewer);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toContain('application/problem+json');
    expect((await inject('GET', `/v1/imports/${importId}`, a.token)).statusCode).toBe(200);
    for (const cursor of ['x', '0', '99']) {
      const badCursor = await inject('GET', `/v1/imports/${importId}/rejections?cursor=${cursor}`, a.token);
      expect(badCursor.statusCode).toBe(400);
      expect(badCursor.json().errors[0].path).toBe('query.cursor');
    }
    const last = await inject('GET', `/v1/imports/${importId}/rejections?cursor=1`, a.token);
    expect(last.json()).toEqual({
      items: [{ line: 4, field: 'value', message: expect.any(String) }],
      nextCursor: null,
    });
  });

  it('refuses a body declared over the limit with 413 before writing anything, and other media types with 415', async () => {
    const before = await inject('GET', '/v1/indicators?limit=1000', a.token);
    const big = await server.app.inject({
      method: 'POST',
      url: '/v1/indicators/import',
      headers: {
        ...bearer(a.token),
        'content-type': 'text/csv',
        'content-length': String(300 * 1024 * 1024),
      },
      payload: Readable.from(['type,value\ndomain,never.example\n']),
    });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    expect(big.json()).toMatchObject({ code: 'payload_too_large', errors: [{ path: 'body' }] });
    const after = await inject('GET', '/v1/indicators?limit=1000', a.token);
    expect(after.json().items.length).toBe(before.json().items.length);
    const plain = await inject('POST', '/v1/indicators/import', a.token, 'type,value\n', {
      'content-type': 'text/plain',
    });
    expect(plain.statusCode).toBe(415);
    expect(plain.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a bad CSV header with 400 naming the column, leaving no report', async () => {
    const reports = () =>
      server.mamoru.store.db
        .selectFrom('import_reports')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('org_id', '=', a.orgId)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    const before = await reports();
    const res = await inject('POST', '/v1/indicators/import', a.token, 'type,value,colour\nphone,1,red\n', {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('header.2');
    expect(await reports()).toBe(before);
  });
});
