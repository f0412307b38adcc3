import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Property: whatever arrives at any route — random JSON with any Unicode
 * (NUL, lone surrogates), malformed text, wrong types in known fields, dates
 * far outside any range, odd path parameters and query strings — the answer
 * is never a 5xx. Every route of the OpenAPI document, plus the hidden ones,
 * gets its own runs.
 */
let server: TestServer;
let tokens: string[];
interface Route {
  readonly method: string;
  readonly path: string;
  readonly fields: readonly string[];
}
let routes: Route[];

beforeAll(async () => {
  server = await startTestServer();
  tokens = [
    server.token,
    await createKey(server, server.token, 'agent'),
    await createKey(server, server.token, 'reviewer'),
  ];
  const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<
      string,
      Record<
        string,
        { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }
      >
    >;
  };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      fields: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
    })),
  );
  // Routes hidden from the document.
  routes.push(
    { method: 'POST', path: '/v1/screen/{channel}', fields: [] },
    { method: 'GET', path: '/metrics', fields: [] },
  );
  expect(routes.length).toBeGreaterThan(25);
});
afterAll(async () => server.close());

const nasty = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  'a\u0000b',
  '𠮷',
  '\u202e',
  '%00',
  '',
  ' ',
  '-1',
  '1e309',
  'NaN',
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  nasty,
);
const extremeDate = fc.constantFrom(
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '+275760-09-13T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2026-02-30T00:00:00Z',
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  anyText,
  extremeDate,
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.array(anyText, { maxLength: 3 }),
);
const segment = fc.oneof(
  anyText,
  fc.constantFrom('message', 'dec_x', '1', '0', '99999999999999999999', '..'),
);
const query = fc.dictionary(
  fc.constantFrom(
    'limit',
    'cursor',
    'status',
    'channel',
    'assignee',
    'before',
    'type',
    'scope',
    'eventId',
    'x',
  ),
  anyText,
  { maxKeys: 4 },
);

/** Percent-encode, sending a lone surrogate as the raw (invalid UTF-8) bytes of one. */
function encode(part: string): string {
  return [...part].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
}

function fill(path: string, parts: readonly string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => encode(parts[i++ % parts.length] || 'x'));
}

function bodyFor(route: Route, values: readonly unknown[], random: unknown): unknown {
  if (route.fields.length === 0) return random;
  return Object.fromEntries(route.fields.map((f, i) => [f, values[i % values.length]]));
}

describe('no route answers 5xx to bad input', () => {
  it('every route: known fields with hostile values, random bodies, odd parameters and queries', async () => {
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: 1, maxLength: 3 }),
          fc.array(value, { minLength: 1, maxLength: 6 }),
          value,
          query,
          fc.nat(2),
          fc.boolean(),
          async (parts, values, random, q, who, useFields) => {
            const body = useFields ? bodyFor(route, values, random) : random;
            let url = fill(route.path, parts);
            const qs = new URLSearchParams(q as Record<string, string>).toString();
            if (qs) url += `?${qs}`;
            const res = await server.app.inject({
              method: route.method as 'GET',
              url,
              headers: { ...bearer(tokens[who]!), 'content-type': 'application/json' },
              ...(route.method === 'GET' || route.method === 'DELETE'
                ? {}
                : { payload: JSON.stringify(body) }),
            });
            expect(res.statusCode, `${route.method} ${url} → ${res.body}`).toBeLessThan(500);
          },
        ),
        { numRuns: 25 },
      );
    }
  });

  it('malformed text bodies and content types, including CSV and JSON lines to every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.oneof(
          anyText,
          fc
            .array(fc.array(anyText, { maxLength: 4 }), { maxLength: 5 })
            .map((rows) => rows.map((r) => r.join(',')).join('\n')),
        ),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'text/csv',
          'application/x-ndjson',
          'application/json; charset=latin1',
          '',
        ),
        async (r, text, type) => {
          const route = routes[r % routes.length]!;
          if (route.method === 'GET') return;
          const res = await server.app.inject({
            method: route.method as 'POST',
            url: fill(route.path, ['message']),
            headers: { ...bearer(server.token), ...(type ? { 'content-type': type } : {}) },
            payload: text,
          });
          expect(res.statusCode, `${route.method} ${route.path} → ${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hostile CSV and JSON lines to the import route', async () => {
    const header = 'type,value,verdict,confidence,expires_at,tags';
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.constantFrom('phone', 'url', 'card', 'identity', 'nope'),
            anyText,
            anyText,
            anyText,
            extremeDate,
            anyText,
          ),
          {
            maxLength: 6,
          },
        ),
        fc.boolean(),
        async (rows, jsonl) => {
          const payload = jsonl
            ? rows
                .map(([type, v, verdict, confidence, expiresAt]) =>
                  JSON.stringify({ type, value: v, verdict, confidence, expiresAt }),
                )
                .join('\n')
            : [
                header,
                ...rows.map((r) => r.map((c) => `"${String(c).replaceAll('"', '""')}"`).join(',')),
              ].join('\n');
          const res = await server.app.inject({
            method: 'POST',
            url: '/v1/indicators/import',
            headers: { ...bearer(server.token), 'content-type': jsonl ? 'application/x-ndjson' : 'text/csv' },
            payload,
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode === 200) {
            const body = res.json() as {
              processed: number;
              imported: number;
              updated: number;
              rejected: number;
            };
            expect(body.imported + body.updated + body.rejected).toBe(body.processed);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random Authorization headers never get past the key check or crash it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), async (header) => {
        const safe = header.replace(/[^\x20-\x7e]/g, '');
        const res = await server.app.inject({
          method: 'GET',
          url: '/v1/decisions',
          headers: { authorization: safe },
        });
        expect(res.statusCode).toBe(401);
      }),
      { numRuns: 200 },
    );
  });
});
