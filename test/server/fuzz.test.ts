import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Property: whatever arrives at any route — random JSON, malformed text,
 * wrong types in known fields, odd path parameters and query strings — the
 * answer is never a 5xx.
 */
let server: TestServer;
let routes: { method: string; path: string; fields: string[] }[];
let tokens: string[];

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
  expect(routes.length).toBeGreaterThan(20);
});
afterAll(async () => server.close());

const segment = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('message', 'dec_x', '1', '0', '-1', '99999999999999999999', '%00', '..', 'NaN'),
);
const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 50 }), fc.constant(null));
const query = fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), {
  maxKeys: 4,
});

function fill(path: string, parts: string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => encodeURIComponent(parts[i++ % parts.length] || 'x'));
}

describe('no route answers 5xx to bad input', () => {
  it('random JSON bodies, known fields with wrong values, odd parameters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.oneof(value, fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 5 })),
        fc.dictionary(fc.constantFrom('x'), value),
        query,
        fc.nat(2),
        async (r, parts, randomBody, _unused, q, who) => {
          const route = routes[r % routes.length]!;
          const body =
            route.fields.length > 0 &&
            typeof randomBody === 'object' &&
            randomBody !== null &&
            !Array.isArray(randomBody)
              ? Object.fromEntries(
                  route.fields.map((f, i) => [f, Object.values(randomBody)[i] ?? randomBody]),
                )
              : randomBody;
          const res = await server.app.inject({
            method: route.method as 'GET',
            url: fill(route.path, parts),
            query: q,
            headers: { ...bearer(tokens[who]!), 'content-type': 'application/json' },
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: JSON.stringify(body) }),
          });
          expect(res.statusCode, `${route.method} ${route.path} → ${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('malformed text bodies and content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.string({ maxLength: 200 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
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
