import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';

/** A Mamoru API in process on an in-memory PGlite, with the operator organisation's admin key. */
export interface TestServer {
  readonly app: App;
  readonly mamoru: Mamoru;
  /** Admin key of the operator organisation. */
  readonly token: string;
  readonly orgId: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: { demo?: boolean; hmacKey?: string; checkpointKey?: string } = {},
): Promise<TestServer> {
  // The environment is not read: DATABASE_URL in CI is for the store suite, not for these tests.
  const config = loadConfig(
    {
      dataDir: 'memory://',
      demo: String(options.demo ?? true),
      ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}),
      ...(options.checkpointKey ? { checkpointKey: options.checkpointKey } : {}),
    },
    {},
  );
  const metrics = new Metrics({ defaults: false });
  const mamoru = await Mamoru.open(config, { metrics });
  const boot = await mamoru.bootstrap({ demo: config.demo });
  if (!boot) throw new Error('bootstrap created nothing');
  const app = await buildServer({ mamoru, metrics, logger: false });
  return {
    app,
    mamoru,
    token: boot.token,
    orgId: boot.orgId,
    async close() {
      await app.close();
      await mamoru.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Create an organisation through the API and return its admin token. */
export async function createOrg(server: TestServer, name: string): Promise<{ orgId: string; token: string }> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/v1/orgs',
    headers: bearer(server.token),
    payload: { name },
  });
  if (res.statusCode !== 201) throw new Error(`create org: ${res.statusCode} ${res.body}`);
  const body = res.json() as { organisation: { id: string }; admin: { token: string } };
  return { orgId: body.organisation.id, token: body.admin.token };
}

/** Create a key of a role in the organisation the admin token belongs to. */
export async function createKey(server: TestServer, adminToken: string, role: string): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: bearer(adminToken),
    payload: { name: `${role} key`, role },
  });
  if (res.statusCode !== 201) throw new Error(`create key: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}
