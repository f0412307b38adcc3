import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { CHANNEL_PLUGINS, channelMigrations, type RegisteredChannel } from './channels/registry.ts';
import type { Config } from './config.ts';
import { MamoruError } from './core/index.ts';
import type { IndicatorService } from './intel/indicator-service.ts';
import type { createKeyedHasher } from './intel/keyed-hash.ts';
import { ownerOnlyDir, ownerOnlyUmask } from './store/pglite/owner-only.ts';
import type { Store, StoreMigrations } from './store/store.ts';

/**
 * Start-up: the HMAC key and its fingerprint check, where the store lives,
 * and the first start's operator organisation (with the demo's indicators).
 */

/**
 * When the database has no organisation, create the operator organisation
 * and its admin key (and, for the demo, a few demo indicators so that the
 * README's sample request shows a real verdict). Returns the token, shown
 * once, or undefined when organisations already exist.
 */
export async function createOperator(
  store: Store,
  intel: IndicatorService,
  options: { demo: boolean },
): Promise<{ orgId: string; token: string } | undefined> {
  if ((await store.orgs.list()).length > 0) return undefined;
  // PGlite belongs to this one process; on a server, two instances starting at once on an empty database
  // take turns, and the second finds the first's organisation.
  if (store.kind === 'pglite') return createOperatorNow(store, intel, options);
  // A transaction that only holds the lock: its end releases it, whatever happens (no lock left on a pooled
  // connection); the writes themselves commit on their own before it does.
  return store.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(BOOTSTRAP_LOCK)})`.execute(trx);
    if ((await store.orgs.list()).length > 0) return undefined;
    return createOperatorNow(store, intel, options);
  });
}

/** Advisory lock key held (by a transaction of its own) while the first organisation is created. */
const BOOTSTRAP_LOCK = 0x6d616d6f7262; // 'mamorb'

async function createOperatorNow(
  store: Store,
  intel: IndicatorService,
  options: { demo: boolean },
): Promise<{ orgId: string; token: string }> {
  const org = await store.orgs.create({ name: options.demo ? 'デモ組織 (Demo)' : 'Operator' });
  await store.settings.set('operator_org', org.id);
  const { token } = await store.keys.create({
    orgId: org.id,
    name: 'admin',
    role: 'admin',
    createdBy: 'bootstrap',
  });
  if (options.demo) {
    for (const item of DEMO_INDICATORS) await intel.upsert(org.id, item);
  }
  return { orgId: org.id, token };
}

/** Demo intel for the README's sample request: made-up look-alike sites and a number from the fictional range. */
const DEMO_INDICATORS = [
  {
    type: 'url',
    value: 'https://amazon-co-jp.account-verify.example/login',
    verdict: 'malicious',
    confidence: 95,
    source: 'demo',
    scope: 'org',
    description: 'デモ: 通販サイトを装ったフィッシングサイト / demo: phishing site posing as a shop',
  },
  {
    type: 'domain',
    value: 'account-verify.example',
    verdict: 'malicious',
    confidence: 90,
    source: 'demo',
    scope: 'org',
    description: 'デモ: フィッシング用ドメイン / demo: phishing domain',
  },
  {
    type: 'phone',
    value: '+81 3-0000-0000',
    verdict: 'suspicious',
    confidence: 70,
    source: 'demo',
    scope: 'org',
    description: 'デモ: 詐欺の連絡先として報告された番号 / demo: number reported as a fraud contact',
  },
] as const;

/**
 * The database remembers a fingerprint of the HMAC key it was set up with.
 * Hashes made with another key never match the stored ones, silently; so a
 * process with the wrong key (another host, a lost key file) refuses to start.
 */
export async function checkKeyFingerprint(
  store: Store,
  hasher: ReturnType<typeof createKeyedHasher>,
): Promise<void> {
  const fingerprint = hasher.hash('identity', 'mamoru:hmac-key-fingerprint').slice(0, 16);
  const known = await store.settings.get<string>('hmac_key_fingerprint');
  if (known === undefined) {
    await store.settings.set('hmac_key_fingerprint', fingerprint);
  } else if (known !== fingerprint) {
    await store.close();
    throw new MamoruError(
      'conflict',
      'MAMORU_HMAC_KEY がこのデータベースの鍵と一致しません / the HMAC key (MAMORU_HMAC_KEY or data/hmac.key) is not the key this database was set up with: hashed identities, cards and accounts would never match',
    );
  }
}

/**
 * Where the store lives for a configuration (PostgreSQL when a URL is set,
 * else PGlite under the data folder) and the registered channels'
 * migrations, which the store runs with the core's (issue 8, item 1): the
 * server, `mamoru db migrate` and every command that opens the database
 * migrate the same schema.
 */
export function storeOptions(
  config: Config,
  plugins: readonly RegisteredChannel[] = CHANNEL_PLUGINS,
): { databaseUrl: string | undefined; dataDir: string; migrations: StoreMigrations } {
  return {
    databaseUrl: config.databaseUrl || undefined,
    dataDir: config.dataDir === 'memory://' ? config.dataDir : join(config.dataDir, 'pglite'),
    migrations: channelMigrations(plugins),
  };
}

/**
 * The HMAC key: from configuration, or generated once into the data folder
 * (readable by the owner only) so hashes stay stable across restarts.
 */
export async function hmacKey(config: Config): Promise<string> {
  if (config.hmacKey) return config.hmacKey;
  if (config.dataDir === 'memory://') return randomBytes(32).toString('hex');
  const file = join(config.dataDir, 'hmac.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await ownerOnlyDir(config.dataDir);
    const key = randomBytes(32).toString('hex');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    await chmod(file, 0o600);
    return (await readFile(file, 'utf8')).trim();
  }
}

/**
 * The data folder, readable by its owner only (0700), made so before anything
 * is written in it — a folder from an older version included. Nothing to do
 * with `memory://`, or when a server database and a configured HMAC key leave
 * nothing to keep there.
 */
export async function prepareDataDir(config: Config): Promise<void> {
  if (config.dataDir === 'memory://') return;
  if (config.databaseUrl && config.hmacKey) {
    // Nothing of ours goes there; secure it only if it already exists.
    if (!(await stat(config.dataDir).catch(() => undefined))) return;
  }
  ownerOnlyUmask();
  await ownerOnlyDir(config.dataDir);
}

/**
 * Write an API key file (the first start's admin key) readable by the owner
 * only, replacing one left by an earlier database. Returns its path.
 */
export async function writeKeyFile(config: Config, name: string, token: string): Promise<string> {
  await ownerOnlyDir(config.dataDir);
  const file = join(config.dataDir, name);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
