import type { Command } from 'commander';
import pino from 'pino';
import { Mamoru } from '../mamoru.ts';
import { buildServer } from '../server/app.ts';
import { Metrics } from '../server/metrics.ts';
import { writeServerFile } from './api-client.ts';
import { checkpointWriter } from './audit-commands.ts';
import { configFrom } from './context.ts';
import { withConfigFlags } from './main.ts';

/** `mamoru serve`: the API on the configured database; on first start a demo organisation and its key. */
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
  ]).action(async (_options, command: Command) => {
    const config = configFrom(command);
    const logger = pino({
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'token', '*.token', 'hmacKey', '*.hmacKey'],
        censor: '[redacted]',
      },
    });
    const metrics = new Metrics();
    const mamoru = await Mamoru.open(config, { logger, metrics });
    const boot = await mamoru.bootstrap({ demo: config.demo });
    // The checkpoint signing key is loaded before listening: a bad MAMORU_CHECKPOINT_KEY stops the start.
    const checkpoints = await checkpointWriter(mamoru, logger);
    const app = await buildServer({ mamoru, metrics, logger, bodyLimit: config.bodyLimit });
    const address = await app.listen({ port: config.port, host: config.host });
    logger.info({ address, database: mamoru.store.kind }, 'mamoru listening');
    // data/server.json: how the CLI in another terminal finds this server (removed on stop).
    const forgetServer =
      config.dataDir === 'memory://'
        ? async () => {}
        : await writeServerFile(config.dataDir, address).catch((err: unknown) => {
            logger.warn({ err }, 'could not write server.json: the CLI needs MAMORU_URL to find this server');
            return async () => {};
          });
    if (boot) printFirstStart(address, boot.token);
    // Every minute: expire cases past their due time, and deliver again the outcomes a channel has not acted on
    // (also once now, for the ones a stopped process left behind).
    const redeliver = () =>
      mamoru.cases
        .redeliverOutcomes()
        .catch((err: unknown) => logger.error({ err }, 'case outcome redelivery failed'));
    // One sweep at a time; `stop` waits for the one running.
    let sweeping: Promise<unknown> = redeliver();
    const sweep = setInterval(() => {
      sweeping = sweeping.then(() =>
        Promise.all([
          mamoru.cases.expireDue().catch((err: unknown) => logger.error({ err }, 'case expiry sweep failed')),
          redeliver(),
        ]),
      );
    }, 60_000);
    sweep.unref();
    checkpoints?.start();
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      clearInterval(sweep);
      await Promise.all([sweeping, checkpoints?.stop()]);
      await forgetServer().catch(() => {});
      await app.close();
      await mamoru.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

/** The key is printed to the terminal once (not logged): the logs never hold secrets. */
function printFirstStart(address: string, token: string): void {
  const sample = `curl -s ${address}/v1/screen/message \\
  -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\
  -d '{"kind":"sms","sender":"+81300000000","text":"【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login"}'`;
  process.stdout.write(`
  Mamoru 初回起動: デモ組織を作成しました / first start: demo organisation created
  API キー（一度だけ表示）/ API key (shown once):

    ${token}

  試す / try:
${sample
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}

  API ドキュメント / API docs: ${address}/docs

`);
}
