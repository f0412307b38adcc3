import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../../src/channels/contract/contract-keys.ts';
import type { ContractTables } from '../../src/channels/contract/tables.ts';
import { bearer, createKey, createOrg, startTestServer, type TestServer } from '../helpers/server.ts';
import { application, HMAC_KEY, hasher, person } from './fixtures.ts';

let server: TestServer;
let b: { orgId: string; token: string };
beforeAll(async () => {
  server = await startTestServer({ demo: false, hmacKey: HMAC_KEY });
  b = await createOrg(server, 'Carrier B');
});
afterAll(async () => server.close());

const post = (url: string, token: string, payload: unknown, headers: Record<string, string> = {}) =>
  server.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(token), ...headers },
    payload: payload as string,
  });

const identity = { name: '山田 太郎', birthDate: '1980-01-02', address: '東京都千代田区1-1' };

describe('POST /v1/contract/lines', () => {
  it('records an activation (201), then its cancellation (200), returning keys only', async () => {
    const created = await post('/v1/contract/lines', server.token, {
      lineId: '+819011112222',
      holder: identity,
      simType: 'voice',
      contractedAt: '2025-04-01',
      salesChannel: 'shop',
      outlet: 'S1',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().line).toMatchObject({
      lineId: '+819011112222',
      holderKey: identityKey(identity, hasher),
      status: 'active',
      contractedAt: '2025-03-31T15:00:00.000Z',
    });
    expect(created.body).not.toContain('山田');
    const cancelled = await post('/v1/contract/lines', server.token, {
      lineId: '+819011112222',
      holder: identity,
      simType: 'voice',
      status: 'cancelled',
      cancelledAt: '2026-01-10T10:00:00+09:00',
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      created: false,
      line: { status: 'cancelled', contractedAt: '2025-03-31T15:00:00.000Z', outlet: 'S1' },
    });
  });

  it.each([
    [{ lineId: 'x', holder: identity, simType: 'pager' }, 'body.simType'],
    [{ lineId: 'x', simType: 'voice' }, 'body.holder'],
    [
      { lineId: 'x', holder: { ...identity, birthDate: '1980-02-30' }, simType: 'voice' },
      'body.holder.birthDate',
    ],
    [{ lineId: 'x', holder: { ...identity, name: '山田|太郎' }, simType: 'voice' }, 'body.holder.name'],
    [
      { lineId: 'x', holderType: 'corporation', corporateNumber: '1234567890123', simType: 'data' },
      'body.corporateNumber',
    ],
    [{ lineId: 'x', holder: identity, simType: 'voice', status: 'cancelled' }, 'body.cancelledAt'],
    [{ lineId: 'x', holder: identity, simType: 'voice', contractedAt: '0000-01-01' }, 'body.contractedAt'],
    [{ lineId: 'x\u0000', holder: identity, simType: 'voice' }, 'body.lineId'],
    [{ lineId: 'x', holder: identity, simType: 'voice', colour: 'red' }, 'body.colour'],
  ])('refuses %j with 400 naming %s', async (payload, field) => {
    const res = await post('/v1/contract/lines', server.token, payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('is refused to a shop or agency key and to an HQ reviewer; the provisioning (system) key may', async () => {
    for (const role of ['agent', 'reviewer'] as const) {
      const key = await createKey(server, server.token, role);
      const res = await post('/v1/contract/lines', key, { lineId: 'x', holder: identity, simType: 'voice' });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().detail, role).toContain('lines:write');
    }
    const system = await createKey(server, server.token, 'system');
    const res = await post('/v1/contract/lines', system, {
      lineId: 'sys-1',
      holder: identity,
      simType: 'voice',
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('property: any JSON body gets 200, 201 or a 400 naming a field — never a 500', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('voice', 'data', 'cancelled', '2026-01-01', '7000012050002', 'a'.repeat(64)),
      fc.integer(),
      fc.constant(null),
      fc.record({ name: fc.string(), birthDate: fc.string(), address: fc.string() }),
    );
    const body = fc.dictionary(
      fc.constantFrom(
        'lineId',
        'holder',
        'holderKey',
        'holderType',
        'corporateNumber',
        'simType',
        'status',
        'contractedAt',
        'cancelledAt',
        'outlet',
        'registeredUser',
        'x',
      ),
      value,
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await post('/v1/contract/lines', server.token, payload);
        expect([200, 201, 400], res.body).toContain(res.statusCode);
        if (res.statusCode === 400) expect(res.json().errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('POST /v1/contract/lines/import', () => {
  it('loads CSV lines and reports each rejected line', async () => {
    const csv = [
      'line_id,name,birth_date,address,sim_type,status,contracted_at',
      'C1,佐藤 花子,1990-01-01,大阪府大阪市1-1,voice,active,2025-01-01',
      'C2,佐藤 花子,1990-01-01,大阪府大阪市1-1,fax,active,2025-01-01',
    ].join('\n');
    const res = await post('/v1/contract/lines/import', server.token, csv, { 'content-type': 'text/csv' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      processed: 2,
      imported: 1,
      rejected: 1,
      rejections: [{ line: 3, field: 'sim_type' }],
    });
    // The report: the lines kind, read with lines:write (an HQ reviewer gets 403, another carrier 404).
    const { importId, rejectionsUrl } = res.json();
    const get = (url: string, token: string) =>
      server.app.inject({ method: 'GET', url, headers: bearer(token) });
    expect((await get(`/v1/imports/${importId}`, server.token)).json()).toMatchObject({
      kind: 'lines',
      status: 'complete',
      processed: 2,
      rejected: 1,
    });
    expect((await get(rejectionsUrl, server.token)).json()).toEqual({
      items: [{ line: 3, field: 'sim_type', message: expect.stringContaining('sim_type') }],
      nextCursor: null,
    });
    const reviewer = await createKey(server, server.token, 'reviewer');
    expect((await get(rejectionsUrl, reviewer)).statusCode).toBe(403);
    expect((await get(rejectionsUrl, b.token)).statusCode).toBe(404);
  });

  it('loads JSON lines', async () => {
    const jsonl = `${JSON.stringify({ lineId: 'N1', holder: identity, simType: 'data' })}\n`;
    const res = await post('/v1/contract/lines/import', server.token, jsonl, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.json()).toMatchObject({ processed: 1, imported: 1 });
  });

  it('refuses a bad header with 400 naming it, and another media type with 415', async () => {
    const res = await post('/v1/contract/lines/import', server.token, 'line,sim\nx,voice', {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toMatch(/^header/);
    const xml = await post('/v1/contract/lines/import', server.token, '<x/>', {
      'content-type': 'application/xml',
    });
    expect(xml.statusCode).toBe(415);
  });

  it('keeps organisations apart: B’s import is not counted for A', async () => {
    const csv = `line_id,holder_key,sim_type\nT1,${'b'.repeat(64)},voice\n`;
    expect(
      (await post('/v1/contract/lines/import', b.token, csv, { 'content-type': 'text/csv' })).statusCode,
    ).toBe(200);
    const store = server.mamoru.store.db.$extendTables<ContractTables>();
    const rows = await store
      .selectFrom('contract_lines')
      .select('org_id')
      .where('line_id', '=', 'T1')
      .execute();
    expect(rows).toEqual([{ org_id: b.orgId }]);
  });
});

describe('screening through Mamoru: the data flow', () => {
  it('logs the redacted application, records it, and an approved exception lets the same application pass', async () => {
    const holder = person(900);
    const csv = ['line_id,name,birth_date,address,document_serial,sim_type'];
    for (let i = 0; i < 4; i++)
      csv.push(
        `F${i},${holder.identity.name},${holder.identity.birthDate},${holder.identity.address},${holder.identity.documentSerial},voice`,
      );
    await post('/v1/contract/lines/import', server.token, csv.join('\n'), { 'content-type': 'text/csv' });
    const app = application({
      holder,
      lines: [{ simType: 'voice', count: 2, purpose: '家族用' }],
      pledgeSigned: true,
    });

    const first = await post('/v1/screen/contract', server.token, app);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().action).toBe('review');
    const decisionId = first.json().id as string;
    const logged = await server.mamoru.store.decisions.get(server.orgId, decisionId);
    const text = JSON.stringify(logged?.event);
    for (const raw of [holder.identity.name, holder.identity.address, holder.identity.documentSerial])
      expect(text).not.toContain(raw);
    expect((logged!.event as { holder: { holderKey: string } }).holder.holderKey).toMatch(/^[0-9a-f]{64}$/);

    const cases = await server.mamoru.cases.list(server.orgId, {});
    const opened = cases.items.find((c) => c.decisionId === decisionId)!;
    const agent = { id: 'key_agency', role: 'agent' as const, orgId: server.orgId };
    await expect(
      server.mamoru.cases.resolve(agent, opened.id, { resolution: 'approved', reason: 'ok' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    const hq = { id: 'key_hq', role: 'reviewer' as const, orgId: server.orgId };
    await server.mamoru.cases.resolve(hq, opened.id, {
      resolution: 'approved',
      reason: '家族6人の利用を確認',
    });
    await server.mamoru.outcomes.drain();

    const again = await post('/v1/screen/contract', server.token, app);
    expect(again.json().action).toBe('allow');
    // Only the approved lines: one more voice line is over the exception.
    const more = await post('/v1/screen/contract', server.token, {
      ...app,
      lines: [{ simType: 'voice', count: 3 }],
    });
    expect(more.json().action).toBe('review');
    const exceptions = await server.mamoru.store.db
      .$extendTables<ContractTables>()
      .selectFrom('contract_exceptions')
      .selectAll()
      .execute();
    expect(exceptions).toEqual([
      expect.objectContaining({
        case_id: opened.id,
        approved_by: 'key_hq',
        application_id: app.applicationId,
      }),
    ]);
  });
});
