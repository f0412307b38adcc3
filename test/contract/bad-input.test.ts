import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Bad contract applications (issue 3, must show): each is refused with a 400
 * problem that names the field, never a 500 and never a verdict. Runs against
 * the real contract channel.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ demo: false });
});
afterAll(async () => server.close());

const screen = (payload: unknown) =>
  server.app.inject({
    method: 'POST',
    url: '/v1/screen/contract',
    headers: bearer(server.token),
    payload: payload as string,
  });

function valid(): Record<string, unknown> {
  return {
    applicationId: 'APP-1',
    salesChannel: { type: 'shop', shopId: 'S1' },
    holder: {
      type: 'person',
      identity: { name: '山田 太郎', birthDate: '1980-01-02', address: '東京都千代田区1-1' },
    },
    identityVerification: {
      method: 'ic_chip_face',
      assuranceLevel: 3,
      performedAt: '2026-03-01T10:00:00+09:00',
    },
    lines: [{ simType: 'voice', count: 1 }],
  };
}

const corporate = (corporateNumber: string) => ({
  ...valid(),
  holder: {
    type: 'corporation',
    identity: { name: '代表 太郎', birthDate: '1970-01-01', address: '東京都港区1-1' },
    corporation: { corporateNumber, name: '株式会社テスト' },
  },
});

describe('POST /v1/screen/contract: bad input', () => {
  it('accepts the valid application the cases below are made from', async () => {
    const res = await screen(valid());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().action).toBe('allow');
    expect((await screen(corporate('4000012090001'))).statusCode).toBe(200);
  });

  it('answers every 400 in Japanese first, then English: the detail and each field issue', async () => {
    const app = valid();
    const res = await screen({
      ...app,
      lines: [{ simType: 'voice', count: 0 }],
      identityVerification: {
        method: 'ic_chip_face',
        assuranceLevel: 3,
        performedAt: '2999-01-01T00:00:00Z',
      },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { detail: string; errors: { path: string; message: string; ja: string }[] };
    for (const e of body.errors) {
      expect(e.ja, e.path).toMatch(/[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u);
      expect(body.detail).toContain(e.ja);
      expect(body.detail).toContain(e.message);
    }
    expect(body.errors.find((e) => e.path.endsWith('performedAt'))?.ja).toBe('未来の日時は指定できません');
    expect(body.detail.indexOf(body.errors[0]!.ja)).toBeLessThan(
      body.detail.indexOf(body.errors[0]!.message),
    );
  });

  it.each([
    ['a corporate number of 12 digits', corporate('400001209000'), 'body.holder.corporation.corporateNumber'],
    [
      'a corporate number with a wrong check digit',
      corporate('5000012090001'),
      'body.holder.corporation.corporateNumber',
    ],
    ['an unknown SIM type', { ...valid(), lines: [{ simType: 'esim_x', count: 1 }] }, 'body.lines.0.simType'],
    ['a negative line count', { ...valid(), lines: [{ simType: 'voice', count: -2 }] }, 'body.lines.0.count'],
    ['a count of zero', { ...valid(), lines: [{ simType: 'data', count: 0 }] }, 'body.lines.0.count'],
    ['a fractional count', { ...valid(), lines: [{ simType: 'data', count: 1.5 }] }, 'body.lines.0.count'],
    ['a missing identity', { ...valid(), holder: { type: 'person' } }, 'body.holder.identity'],
    [
      'an identity without a date of birth',
      { ...valid(), holder: { type: 'person', identity: { name: '山田 太郎', address: '東京都' } } },
      'body.holder.identity.birthDate',
    ],
    [
      'a reliance without its provider',
      {
        ...valid(),
        identityVerification: { method: 'reliance', assuranceLevel: 2, performedAt: '2026-03-01T10:00:00Z' },
      },
      'body.identityVerification.provider',
    ],
    [
      'an agency without its id',
      { ...valid(), salesChannel: { type: 'agency' } },
      'body.salesChannel.agencyId',
    ],
    ['no lines', { ...valid(), lines: [] }, 'body.lines'],
    ['a contact number that is not one', { ...valid(), contactPhone: '090-1234' }, 'body.contactPhone'],
    [
      'an added line whose existing number is not one',
      { ...valid(), addedLine: { authentication: 'passkey', lineNumber: 'abc' } },
      'body.addedLine.lineNumber',
    ],
    ['a contact e-mail that is not one', { ...valid(), contactEmail: 'taro@' }, 'body.contactEmail'],
    [
      'an identity verification in the future',
      {
        ...valid(),
        identityVerification: {
          method: 'ic_chip_face',
          assuranceLevel: 3,
          performedAt: '2099-01-01T00:00:00+09:00',
        },
      },
      'body.identityVerification.performedAt',
    ],
    [
      'an employment verification in the future',
      {
        ...corporate('4000012090001'),
        holder: {
          ...(corporate('4000012090001').holder as object),
          corporation: {
            corporateNumber: '4000012090001',
            name: '株式会社テスト',
            employmentVerification: { method: 'phone_callback', verifiedAt: '2099-01-01T00:00:00+09:00' },
          },
        },
      },
      'body.holder.corporation.employmentVerification.verifiedAt',
    ],
    [
      'a NUL in a shop id',
      { ...valid(), salesChannel: { type: 'shop', shopId: 'a\u0000b' } },
      'body.salesChannel.shopId',
    ],
    [
      'an unpaired surrogate in a purpose',
      { ...valid(), lines: [{ simType: 'voice', count: 1, purpose: 'x\ud800' }] },
      'body.lines.0.purpose',
    ],
    [
      'a corporation without its corporate details',
      { ...valid(), holder: { ...(valid().holder as object), type: 'corporation' } },
      'body.holder.corporation',
    ],
  ])('refuses %s with 400 naming the field', async (_name, payload, field) => {
    const res = await screen(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('property: any value at any field of a valid application gets 200 or a 400 naming a field — never a 500', async () => {
    const paths = [
      ['applicationId'],
      ['salesChannel', 'type'],
      ['salesChannel', 'agencyId'],
      ['salesChannel', 'shopId'],
      ['holder', 'corporation'],
      ['identityVerification', 'provider'],
      ['lines', '0', 'purpose'],
      ['lines', '0', 'product'],
      ['holder', 'type'],
      ['holder', 'identity'],
      ['holder', 'identity', 'name'],
      ['holder', 'identity', 'birthDate'],
      ['holder', 'identity', 'documentSerial'],
      ['identityVerification', 'method'],
      ['identityVerification', 'assuranceLevel'],
      ['identityVerification', 'performedAt'],
      ['identityVerification', 'documentExpiry'],
      ['lines'],
      ['lines', '0', 'simType'],
      ['lines', '0', 'count'],
      ['lines', '0', 'registeredUser'],
      ['addedLine', 'authentication'],
      ['addedLine', 'lineNumber'],
      ['contactPhone'],
      ['contactEmail'],
      ['pledgeSigned'],
      ['deviceFingerprint'],
      ['submittedAt'],
    ];
    const hostile = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('\u0000', '\ud800', '-1', '1e309', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z'),
      fc.integer(),
      fc.double(),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), hostile, async (path, value) => {
        const body = valid();
        let at = body as Record<string, unknown>;
        for (const key of path.slice(0, -1)) {
          const next = at[key];
          at[key] = typeof next === 'object' && next !== null ? structuredClone(next) : {};
          at = at[key] as Record<string, unknown>;
        }
        at[path.at(-1) as string] = value;
        const res = await screen(body);
        expect([200, 400], res.body).toContain(res.statusCode);
        if (res.statusCode === 400) expect(res.json().errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
