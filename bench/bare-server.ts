/**
 * The bare route of `npm run bench http`: Fastify on its own, one POST route
 * that parses a JSON body and answers JSON, with no auth, validation library,
 * engine or database. What the framework and Node's HTTP cost on this
 * machine: the ceiling the screen route is compared with.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/bare', async (request) => {
  const body = request.body as { kind?: unknown; text?: unknown };
  return {
    kind: typeof body.kind === 'string' ? body.kind : null,
    length: typeof body.text === 'string' ? body.text.length : 0,
    at: new Date().toISOString(),
  };
});
app.get('/readyz', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT ?? 18788), host: process.env.HOST ?? '127.0.0.1' });
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
