import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import pino, { type Logger } from 'pino';
import {
  type MilterServer,
  mailOptionsFromEnv,
  parseMilterListen,
  startMailMilter,
} from '../channels/mail/index.ts';
import type { Config } from '../config.ts';
import { MamoruError } from '../core/index.ts';
import { safeError } from '../core/safe-error.ts';
import { Mamoru } from '../mamoru.ts';
import { Metrics } from '../metrics.ts';
import { buildServer } from '../server/app.ts';
import { ensureConsoleBuilt } from '../server/console.ts';
import { writeKeyFile } from '../setup.ts';
import { ClusterLease } from '../store/cluster-lease.ts';
import { writeServerFile } from './api-client.ts';
import { checkpointWriter } from './audit-commands.ts';
import { withConfigFlags } from './config-flags.ts';
import { configFrom } from './context.ts';

/** `mamoru serve`: the API on the configured database; on first start a demo organisation and its key. */
/** What the server's logs never carry: secrets are replaced wherever a log line would hold them. */
export const LOG_REDACTION = {
  paths: ['req.headers.authorization', 'token', '*.token', 'hmacKey', '*.hmacKey'],
  censor: '[redacted]',
};

export function registerServeCommand(program: Command): void {
  withConfigFlags(program.command('serve').description('API サーバーを起動 / start the API server'), [
    'port',
    'host',
    'databaseUrl',
    'dataDir',
    'logLevel',
    'hmacKey',
    'bodyLimit',
    'demo',
    'checkpointKey',
    'checkpointFile',
    'checkpointInterval',
    'sweepInterval',
    'trustProxy',
    'milter',
  ]).action(async (_options, command: Command) => {
    const config = configFrom(command);
    // Before anything is written (data folder, database, first organisation, key file): a port in use stops here.
    await assertPortFree(config.port, config.host);
    if (config.milter) {
      const milterAt = parseMilterListen(config.milter);
      await assertPortFree(milterAt.port, milterAt.host);
    }
    const logger = pino({
      level: config.logLevel,
      redact: LOG_REDACTION,
    });
    const metrics = new Metrics();
    const mamoru = await Mamoru.open(config, { logger, metrics });
    const boot = await mamoru.bootstrap({ demo: config.demo });
    // The checkpoint signing key is loaded before listening: a bad MAMORU_CHECKPOINT_KEY stops the start.
    const checkpoints = await checkpointWriter(mamoru, logger);
    // The console is built by `npm install`; a clone installed without scripts builds it here, once.
    const consoleState = await ensureConsoleBuilt();
    if (consoleState === 'built') logger.info('console built into console/dist');
    if (consoleState === 'unavailable')
      logger.warn(
        'console not built and could not be built: run npm run build:console (the API works without it)',
      );
    const app = await buildServer({
      mamoru,
      metrics,
      logger,
      bodyLimit: config.bodyLimit,
      trustProxy: config.trustProxy,
    });
    const address = await app.listen({ port: config.port, host: config.host });
    logger.info({ address, database: mamoru.store.kind }, 'mamoru listening');
    // data/server.json: how the CLI in another terminal finds this server (removed on stop).
    const forgetServer =
      config.dataDir === 'memory://'
        ? async () => {}
        : await writeServerFile(config.dataDir, address).catch((err: unknown) => {
            logger.warn(
              { err: safeError(err) },
              'could not write server.json: the CLI needs MAMORU_URL to find this server',
            );
            return async () => {};
          });
    if (boot) await printFirstStart(config, address, boot.token);
    // The mail milter for Postfix (`smtpd_milters = inet:127.0.0.1:11332`), off unless MAMORU_MILTER is set.
    const milter = config.milter ? await startMilter(mamoru, config.milter, logger) : undefined;
    if (milter) logger.info({ milter: config.milter }, 'mail milter listening');
    // Every MAMORU_SWEEP_INTERVAL (and once now, for what a stopped process left behind): expire cases past their
    // due time, and deliver again the outcomes no channel has acted on. However many servers share the database,
    // one runs each sweep: the one that takes the interval's lease (issue 8 item 8).
    const intervalMs = config.sweepInterval * 1000;
    const lease = new ClusterLease(mamoru.store.db, mamoru.store.cluster.instance);
    const sweepOnce = async () => {
      const mine = await lease.acquire(SWEEP_LEASE, intervalMs).catch((err: unknown) => {
        logger.error({ err: safeError(err) }, 'case sweep lease failed');
        return false;
      });
      if (!mine) return;
      const [expired, redelivered] = await Promise.all([
        mamoru.cases.expireDue().catch((err: unknown) => {
          logger.error({ err: safeError(err) }, 'case expiry sweep failed');
          return 0;
        }),
        mamoru.cases.redeliverOutcomes().catch((err: unknown) => {
          logger.error({ err: safeError(err) }, 'case outcome redelivery failed');
          return 0;
        }),
      ]);
      if (expired > 0 || redelivered > 0) logger.info({ expired, redelivered }, 'case sweep');
    };
    // One sweep at a time; `stop` waits for the one running.
    let sweeping: Promise<unknown> = sweepOnce();
    const sweep = setInterval(() => {
      sweeping = sweeping.then(sweepOnce);
    }, intervalMs);
    sweep.unref();
    checkpoints?.start();
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      clearInterval(sweep);
      await Promise.all([sweeping, checkpoints?.stop()]);
      // Another server takes the sweep at its next tick rather than after this one's lease.
      await lease.release(SWEEP_LEASE).catch(() => {});
      await forgetServer().catch(() => {});
      // The milter first: mail being screened gets its verdict before the store closes.
      await milter?.close();
      await app.close();
      await mamoru.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

/**
 * Starts the mail channel's milter on `listen` (`inet:127.0.0.1:11332`), screening as the
 * operator organisation — the organisation the CLI works as by default — with a `system`
 * principal `milter:<listen>` not bound to an origin: the milter runs inside the server, so it
 * needs no API key, and each mail's origin is `mta:<the MTA's name>` from its `j` macro. One
 * Mamoru serves one mail provider's MTAs; a provider with several organisations runs one
 * Mamoru per organisation, or screens through `POST /v1/screen/mail` with keys bound to
 * `mta:<host>`.
 *
 * @throws MamoruError when the mail channel is not registered or no organisation exists yet.
 */
export async function startMilter(mamoru: Mamoru, listen: string, logger?: Logger): Promise<MilterServer> {
  mamoru.channel('mail');
  const orgId = await mamoru.store.settings.get<string>('operator_org');
  if (!orgId)
    throw new MamoruError(
      'not_found',
      '組織がありません。ミルターは運用組織として審査します / no organisation yet: the milter screens as the operator organisation',
    );
  const principal = { id: `milter:${listen}`, role: 'system', orgId } as const;
  const milterLogger = logger?.child({ component: 'milter' });
  return startMailMilter({
    listen,
    authServId: mailOptionsFromEnv().authServId ?? hostname(),
    mta: hostname(),
    screen: (payload) => mamoru.screen(principal, 'mail', payload),
    ...(milterLogger ? { logger: milterLogger } : {}),
  });
}

/** The lease (`cluster_leases`) of the case sweep: one server per interval runs it. */
const SWEEP_LEASE = 'case-sweep';

/**
 * The first start's admin key goes to the terminal only, never to stdout
 * where the JSON logs go: on stderr when it is a terminal; otherwise (output
 * captured by a service manager, a pipe, CI) only into the owner-only key file,
 * and stderr says where it is.
 */
async function printFirstStart(config: Config, address: string, token: string): Promise<void> {
  const onDisk = config.dataDir !== 'memory://';
  const terminal = process.stderr.isTTY === true;
  // The demo's key is already in data/demo-api-key; without the demo, a key that cannot be shown is kept too.
  const file = !onDisk
    ? undefined
    : config.demo
      ? join(config.dataDir, 'demo-api-key')
      : terminal
        ? undefined
        : await writeKeyFile(config, 'admin-api-key', token);
  const bearer = terminal ? token : file ? `$(cat ${file})` : '<API key>';
  const sample = `curl -s ${address}/v1/screen/message \\
  -H "Authorization: Bearer ${bearer}" -H 'Content-Type: application/json' \\
  -d '{"kind":"sms","sender":"+81300000000","text":"【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login"}'`;
  const title = config.demo
    ? 'Mamoru 初回起動: デモ組織を作成しました / first start: demo organisation created'
    : 'Mamoru 初回起動: 運用組織を作成しました / first start: operator organisation created';
  const key = terminal
    ? `  API キー（一度だけ表示）/ API key (shown once):

    ${token}
${file ? `\n  保存先 / saved to: ${file}\n` : ''}`
    : file
      ? `  API キーは端末にだけ表示します。保存先 / the API key is shown on a terminal only; it is in:

    ${file}
`
      : '  API キーは端末にだけ表示します / the API key is shown on a terminal only (stderr is not one)\n';
  process.stderr.write(`
  ${title}
${key}
  試す / try:
${sample
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}

  API ドキュメント / API docs: ${address}/docs

`);
}

/**
 * Refuse to start when `host:port` is taken — before the first start creates
 * anything. Port 0 (any free port) needs no check.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new MamoruError(
          'conflict',
          error.code === 'EADDRINUSE'
            ? `ポート ${host}:${port} は使用中です / port ${port} on ${host} is in use: stop what holds it, or set PORT (--port)`
            : `ポート ${host}:${port} で待ち受けできません / cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      ),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
