import { z } from 'zod';
import { MamoruError } from './core/index.ts';

/**
 * Configuration: every setting is an environment variable with a matching
 * command-line flag (the flag wins). `docs/configuration.md` documents each one;
 * a test checks the two lists agree.
 */
export const SETTINGS = {
  port: { env: 'PORT', flag: '--port', default: '8787', ja: '待ち受けポート', en: 'Port to listen on' },
  host: {
    env: 'HOST',
    flag: '--host',
    default: '127.0.0.1',
    ja: '待ち受けアドレス',
    en: 'Address to listen on',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: '--database-url',
    default: '',
    ja: 'PostgreSQL の接続文字列。未設定なら組み込みの PGlite を使う',
    en: 'PostgreSQL connection string; when unset the embedded PGlite is used',
  },
  dataDir: {
    env: 'MAMORU_DATA_DIR',
    flag: '--data-dir',
    default: './data',
    ja: 'データフォルダ（PGlite のデータと鍵）',
    en: 'Data folder (PGlite data and the generated hash key)',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: '--log-level',
    default: 'info',
    ja: 'ログレベル（fatal, error, warn, info, debug, trace, silent）',
    en: 'Log level (fatal, error, warn, info, debug, trace, silent)',
  },
  hmacKey: {
    env: 'MAMORU_HMAC_KEY',
    flag: '--hmac-key',
    default: '',
    ja: '識別子・カード・口座番号の鍵付きハッシュ（HMAC）の鍵。共有する組織間で同じ値にする。未設定ならデータフォルダに生成',
    en: 'Key of the keyed hash (HMAC) for identity, card and account numbers; the same across sharing organisations. Generated in the data folder when unset',
  },
  bodyLimit: {
    env: 'MAMORU_BODY_LIMIT',
    flag: '--body-limit',
    default: '1048576',
    ja: 'リクエスト本文の上限（バイト）。超えると 413',
    en: 'Largest request body in bytes; larger gets 413',
  },
  demo: {
    env: 'MAMORU_DEMO',
    flag: '--demo',
    default: 'true',
    ja: '初回起動時にデモ組織を作成し API キーを表示する（true/false）',
    en: 'On first start, create a demo organisation and print its API key (true/false)',
  },
  trustProxy: {
    env: 'MAMORU_TRUST_PROXY',
    flag: '--trust-proxy',
    default: 'false',
    ja: 'X-Forwarded-For を信じるプロキシ（true、段数、またはアドレス・CIDR のカンマ区切り）。認証失敗の制限はこのクライアント単位',
    en: 'Which proxies to believe X-Forwarded-For from (true, a hop count, or comma-separated addresses and CIDR ranges): failed authentications are limited per client address',
  },
  checkpointKey: {
    env: 'MAMORU_CHECKPOINT_KEY',
    flag: '--checkpoint-key',
    default: '',
    ja: '判定ログのチェックポイントに署名する Ed25519 秘密鍵（PEM またはそのファイル）。未設定ならデータフォルダの checkpoint.key',
    en: 'Ed25519 private key (PEM, or a file holding it) that signs decision log checkpoints; checkpoint.key in the data folder when unset',
  },
  checkpointFile: {
    env: 'MAMORU_CHECKPOINT_FILE',
    flag: '--checkpoint-file',
    default: '',
    ja: 'サーバーが署名付きチェックポイントを定期的に書くファイル。未設定なら書かない',
    en: 'File the server rewrites with a signed checkpoint of the decision log; none when unset',
  },
  checkpointInterval: {
    env: 'MAMORU_CHECKPOINT_INTERVAL',
    flag: '--checkpoint-interval',
    default: '3600',
    ja: 'チェックポイントの間隔（秒）',
    en: 'Seconds between checkpoints',
  },
  sweepInterval: {
    env: 'MAMORU_SWEEP_INTERVAL',
    flag: '--sweep-interval',
    default: '60',
    ja: 'ケースの期限切れと結果の再配信を行う間隔（秒）。複数サーバーでもこの間隔に一度だけ実行',
    en: 'Seconds between case sweeps (expiry, outcome redelivery); run once per interval across all servers on one database',
  },
  milter: {
    env: 'MAMORU_MILTER',
    flag: '--milter',
    default: '',
    ja: 'メールのミルターの待ち受け（例 inet:127.0.0.1:11332、Postfix の smtpd_milters と同じ値）。未設定なら起動しない',
    en: "Where the mail milter listens (e.g. inet:127.0.0.1:11332, the value of Postfix's smtpd_milters); off when unset",
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  databaseUrl: z.string(),
  dataDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  hmacKey: z.string(),
  bodyLimit: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024),
  demo: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  trustProxy: z
    .string()
    .trim()
    .regex(/^(?:true|false|\d{1,2}|[0-9A-Fa-f:./]+(?:\s*,\s*[0-9A-Fa-f:./]+)*)$/, {
      message: 'true, false, a hop count, or comma-separated addresses and CIDR ranges',
    })
    .transform((v): boolean | number | string[] =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(/\s*,\s*/),
    ),
  checkpointKey: z.string(),
  checkpointFile: z.string(),
  checkpointInterval: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600),
  sweepInterval: z.coerce.number().int().min(1).max(3600),
  milter: z
    .string()
    .trim()
    .regex(/^(?:(?:inet6?:)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5})?$/, {
      message: 'inet:host:port (e.g. inet:127.0.0.1:11332), or empty for off',
    }),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

/**
 * Resolve the configuration from flags (already parsed, by setting name), the
 * environment and the defaults. Throws a validation error naming the variable.
 */
export function loadConfig(
  flags: Partial<Record<SettingName, string | undefined>> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Config {
  const raw: Record<string, string> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    raw[name] = flags[name] ?? env[s.env] ?? s.default;
  }
  // A server database is a real deployment: no demo data unless asked for.
  if (raw.databaseUrl && flags.demo === undefined && env[SETTINGS.demo.env] === undefined) raw.demo = 'false';
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const name = String(i.path[0]) as SettingName;
      return { path: `${SETTINGS[name].env} (${SETTINGS[name].flag})`, message: i.message };
    });
    throw new MamoruError(
      'validation_failed',
      `bad configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        issues,
      },
    );
  }
  return Object.freeze(parsed.data);
}
