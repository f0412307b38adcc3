import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CaseService } from './cases/case-service.ts';
import { OutcomeBus } from './cases/outcome-bus.ts';
import { type Actor, requirePermission } from './cases/roles.ts';
import { createChannels } from './channels/registry.ts';
import {
  type Action,
  type AnyChannel,
  createEngine,
  type Engine,
  type FieldIssue,
  MamoruError,
  newId,
  opensCase,
  type PolicyDocument,
  type PolicyRef,
  type PolicyVersion,
  policyDocumentSchema,
  policyIssues,
  type ScreenEvent,
  type Verdict,
  validationError,
} from './core/index.ts';
import { createExtractTools } from './intel/extract-tools.ts';
import type { ImportTarget } from './intel/import-indicators.ts';
import { IndicatorService } from './intel/indicator-service.ts';
import { createKeyedHasher } from './intel/keyed-hash.ts';
import type { Config } from './server/config.ts';
import type { Metrics } from './server/metrics.ts';
import { openStore } from './store/index.ts';
import type { DecisionRecord, Store } from './store/store.ts';

/** Who is asking: an API key (or the CLI) of one organisation, with its role. */
export type Principal = Actor;

export interface DryRunChange {
  readonly decisionId: string;
  readonly createdAt: string;
  readonly from: { readonly action: Action; readonly score: number };
  readonly to: { readonly action: Action; readonly score: number };
}

export interface DryRunReport {
  readonly channel: string;
  readonly checked: number;
  readonly changed: number;
  readonly transitions: Readonly<Record<string, number>>;
  readonly changes: readonly DryRunChange[];
  /** Decisions decided by an override: their detectors did not run, so a draft cannot be fully re-scored. */
  readonly incomplete: number;
}

/**
 * The composition root: one Mamoru instance wires the store, the engine with
 * every registered channel, intel, cases and the in-process outcome queue.
 * The HTTP server and the CLI are thin edges over it.
 */
export class Mamoru {
  readonly config: Config;
  readonly store: Store;
  readonly engine: Engine;
  readonly intel: IndicatorService;
  readonly cases: CaseService;
  readonly outcomes: OutcomeBus;
  readonly logger: Logger | undefined;
  readonly metrics: Metrics | undefined;
  readonly #channels: ReadonlyMap<string, AnyChannel>;
  readonly #tools: ReturnType<typeof createExtractTools>;
  readonly #policies = new Map<string, { ref: PolicyRef; at: number }>();

  private constructor(parts: {
    config: Config;
    store: Store;
    engine: Engine;
    intel: IndicatorService;
    cases: CaseService;
    outcomes: OutcomeBus;
    channels: readonly AnyChannel[];
    tools: ReturnType<typeof createExtractTools>;
    logger?: Logger | undefined;
    metrics?: Metrics | undefined;
  }) {
    this.config = parts.config;
    this.store = parts.store;
    this.engine = parts.engine;
    this.intel = parts.intel;
    this.cases = parts.cases;
    this.outcomes = parts.outcomes;
    this.logger = parts.logger;
    this.metrics = parts.metrics;
    this.#channels = new Map(parts.channels.map((c) => [c.name, c]));
    this.#tools = parts.tools;
  }

  static async open(
    config: Config,
    options: { logger?: Logger; metrics?: Metrics; channels?: readonly AnyChannel[] } = {},
  ): Promise<Mamoru> {
    const store = await openStore({
      ...storeOptions(config),
      onConnectionError: (err) =>
        options.logger?.warn({ err }, 'idle database connection failed; it will be replaced'),
    });
    const hasher = createKeyedHasher(await hmacKey(config));
    await checkKeyFingerprint(store, hasher);
    const intel = new IndicatorService({ db: store.db, hasher });
    const outcomes = new OutcomeBus({
      onError: (error, outcome) =>
        options.logger?.error({ err: error, caseId: outcome.caseId }, 'outcome handler failed'),
    });
    const cases = new CaseService({ db: store.db, outcomes, indicatorSink: intel });
    const channels = options.channels ?? createChannels({ db: store.db, hasher });
    for (const channel of channels) {
      const act = channel.onOutcome;
      if (act) outcomes.subscribe(channel.name, (outcome) => act(outcome));
    }
    const engine = createEngine({ channels });
    for (const p of engine.problems) options.logger?.warn(p, 'detector turned off');
    return new Mamoru({
      config,
      store,
      engine,
      intel,
      cases,
      outcomes,
      channels,
      tools: createExtractTools(hasher),
      logger: options.logger,
      metrics: options.metrics,
    });
  }

  channel(name: string): AnyChannel {
    const channel = this.#channels.get(name);
    if (!channel)
      throw new MamoruError('unknown_channel', `unknown channel ${name}`, {
        issues: [{ path: 'channel', message: `unknown channel ${name}` }],
      });
    return channel;
  }

  channels(): AnyChannel[] {
    return [...this.#channels.values()];
  }

  /**
   * Screen one event synchronously: validate, evaluate under the org's current
   * policy, write the decision log, open a case when a person is needed.
   */
  async screen(
    principal: Principal,
    channelName: string,
    payload: unknown,
    options: { eventId?: string; validated?: boolean } = {},
  ): Promise<Verdict> {
    requirePermission(principal, 'screen');
    const channel = this.channel(channelName);
    let body = payload;
    if (!options.validated) {
      const parsed = channel.schema.safeParse(payload);
      if (!parsed.success) throw validationError(parsed.error.issues);
      body = parsed.data;
    }
    const event: ScreenEvent = {
      id: options.eventId ?? newId('evt'),
      orgId: principal.orgId,
      channel: channel.name,
      receivedAt: new Date().toISOString(),
      payload: body,
    };
    const policy = await this.policy(principal.orgId, channel.name);
    const now = new Date(event.receivedAt);
    const services = channel.load
      ? await channel.load(event, now, { ...channel.defaultSettings, ...policy.document.settings })
      : undefined;
    const verdict = await this.engine.evaluate({
      event,
      policy,
      tools: this.#tools,
      intel: this.intel,
      services,
      now,
    });
    try {
      const stored = channel.redact ? channel.redact(event.payload, this.#tools) : event.payload;
      await this.store.decisions.append(verdict, stored);
    } catch (error) {
      this.metrics?.decisionLogFailures.inc();
      throw error;
    }
    // Once the verdict is logged, the channel's record and the case are independent writes: run them
    // together, and let both finish (a failing record must not leave a review without its case).
    const writes: Promise<unknown>[] = [];
    if (channel.record) writes.push(channel.record(verdict, event, services));
    if (opensCase(verdict.action))
      writes.push(this.cases.openFromVerdict(verdict, { slaHours: policy.document.caseSlaHours }));
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.metrics?.observeVerdict(verdict);
    return verdict;
  }

  /** The org's current policy for a channel (the channel's default, version 0, until one is stored). */
  async policy(orgId: string, channelName: string): Promise<PolicyRef> {
    const key = `${orgId}\u0000${channelName}`;
    const cached = this.#policies.get(key);
    // A short cache: other processes' policy changes are seen within five seconds.
    if (cached && Date.now() - cached.at < 5_000) return cached.ref;
    const stored = await this.store.policies.current(orgId, channelName);
    const ref: PolicyRef = stored ?? { version: 0, document: this.defaultPolicy(channelName) };
    this.#policies.set(key, { ref, at: Date.now() });
    return ref;
  }

  defaultPolicy(channelName: string): PolicyDocument {
    return policyDocumentSchema.parse(this.channel(channelName).defaultPolicy);
  }

  /** Validate a policy document for a channel: schema, then signals and detectors it names. */
  checkPolicy(channelName: string, document: unknown): PolicyDocument {
    const channel = this.channel(channelName);
    const parsed = policyDocumentSchema.safeParse(document);
    if (!parsed.success) throw validationError(parsed.error.issues, 'invalid_policy');
    const issues: FieldIssue[] = policyIssues(
      parsed.data,
      channelName,
      new Set(this.engine.signals(channelName).map((s) => s.name)),
      new Set(this.engine.detectors(channelName)),
    );
    if (channel.settingsIssues) issues.push(...channel.settingsIssues(parsed.data.settings));
    // Allow/deny values are compared with extracted indicators, so they are stored normalised (E.164, canonical URL, keyed hash).
    const normalise = (list: 'allow' | 'deny') =>
      parsed.data.overrides[list].map((entry, i) => {
        const ref = this.#tools.indicator(entry.type, entry.value);
        if (!ref) issues.push({ path: `overrides.${list}.${i}.value`, message: `not a valid ${entry.type}` });
        return ref ? { ...entry, value: ref.value } : entry;
      });
    const overrides = { ...parsed.data.overrides, allow: normalise('allow'), deny: normalise('deny') };
    if (issues.length > 0) {
      throw new MamoruError('invalid_policy', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
        issues,
      });
    }
    return { ...parsed.data, overrides };
  }

  async putPolicy(
    principal: Principal,
    channelName: string,
    document: unknown,
    comment?: string,
  ): Promise<PolicyVersion> {
    requirePermission(principal, 'policies:write');
    const checked = this.checkPolicy(channelName, document);
    const version = await this.store.policies.put({
      orgId: principal.orgId,
      channel: channelName,
      document: checked,
      createdBy: principal.id,
      ...(comment ? { comment } : {}),
    });
    this.#policies.delete(`${principal.orgId}\u0000${channelName}`);
    return version;
  }

  /**
   * Dry-run a draft policy against the last `limit` decisions of a channel:
   * re-score their recorded hits (and their indicators against the draft's
   * allow/deny lists) and list the verdicts that would change.
   */
  async dryRun(
    principal: Principal,
    channelName: string,
    draft: unknown,
    limit = 1000,
  ): Promise<DryRunReport> {
    requirePermission(principal, 'policies:read');
    const document = this.checkPolicy(channelName, draft);
    const draftRef: PolicyRef = { version: -1, document };
    // The log hands out pages of at most 1000; walk back until `limit` decisions are read.
    const records: DecisionRecord[] = [];
    while (records.length < limit) {
      const before = records.at(-1)?.seq;
      const page = await this.store.decisions.list(principal.orgId, {
        channel: channelName,
        limit: Math.min(1000, limit - records.length),
        ...(before !== undefined ? { beforeSeq: before } : {}),
      });
      records.push(...page);
      if (page.length === 0) break;
    }
    const changes: DryRunChange[] = [];
    const transitions: Record<string, number> = {};
    let incomplete = 0;
    for (const { verdict } of records) {
      if (verdict.forced?.kind === 'allow_override' || verdict.forced?.kind === 'deny_override') incomplete++;
      const rescored = this.engine.rescore(channelName, draftRef, verdict.hits, verdict.indicators);
      if (rescored.action !== verdict.action) {
        const key = `${verdict.action}->${rescored.action}`;
        transitions[key] = (transitions[key] ?? 0) + 1;
        changes.push({
          decisionId: verdict.id,
          createdAt: verdict.createdAt,
          from: { action: verdict.action, score: verdict.score },
          to: { action: rescored.action, score: rescored.score },
        });
      }
    }
    return {
      channel: channelName,
      checked: records.length,
      changed: changes.length,
      transitions,
      changes,
      incomplete,
    };
  }

  /**
   * A `public` indicator reaches every organisation's screening, so only the
   * operator organisation publishes one (API and CLI alike).
   */
  async assertMayPublish(orgId: string, scope: string | undefined, path: string): Promise<void> {
    if (scope === 'public' && !(await this.isOperator(orgId))) {
      throw new MamoruError('forbidden', 'only the operator organisation may publish public indicators', {
        issues: [{ path, message: 'public scope is reserved for the operator organisation' }],
      });
    }
  }

  /**
   * Where a bulk import writes for an organisation: the indicator service,
   * with every line that asks for `public` scope refused (and named) unless
   * the organisation is the operator.
   */
  async importTarget(orgId: string, defaultScope: string | undefined, path: string): Promise<ImportTarget> {
    await this.assertMayPublish(orgId, defaultScope, path);
    if (await this.isOperator(orgId)) return this.intel;
    return {
      prepare: (input: unknown) => {
        const prepared = this.intel.prepare(input);
        if (prepared.scope === 'public') {
          throw new MamoruError(
            'validation_failed',
            'scope: public is reserved for the operator organisation',
            {
              issues: [{ path: 'scope', message: 'public is reserved for the operator organisation' }],
            },
          );
        }
        return prepared;
      },
      upsertMany: (target, items) => this.intel.upsertMany(target, items),
    };
  }

  /** The operator organisation (the first one created) administers the others. */
  async isOperator(orgId: string): Promise<boolean> {
    return (await this.store.settings.get<string>('operator_org')) === orgId;
  }

  /**
   * First start: when the database has no organisation, create the operator
   * organisation and its admin key (and, for the demo, a few demo indicators
   * so that the README's sample request shows a real verdict). Returns the
   * token, shown once, or undefined when organisations already exist.
   */
  async bootstrap(options: { demo: boolean }): Promise<{ orgId: string; token: string } | undefined> {
    const first = await this.#bootstrap(options);
    if (first && options.demo && this.config.dataDir !== 'memory://') {
      // Lets the README's sample request work as pasted; readable by the owner only.
      await mkdir(this.config.dataDir, { recursive: true });
      await writeFile(join(this.config.dataDir, 'demo-api-key'), first.token, { mode: 0o600 });
    }
    return first;
  }

  async #bootstrap(options: { demo: boolean }): Promise<{ orgId: string; token: string } | undefined> {
    if ((await this.store.orgs.list()).length > 0) return undefined;
    const org = await this.store.orgs.create({ name: options.demo ? 'デモ組織 (Demo)' : 'Operator' });
    await this.store.settings.set('operator_org', org.id);
    const { token } = await this.store.keys.create({
      orgId: org.id,
      name: 'admin',
      role: 'admin',
      createdBy: 'bootstrap',
    });
    if (options.demo) {
      for (const item of DEMO_INDICATORS) await this.intel.upsert(org.id, item);
    }
    return { orgId: org.id, token };
  }

  async close(): Promise<void> {
    await this.outcomes.drain();
    await this.store.close();
  }
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
async function checkKeyFingerprint(
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

/** Where the store lives for a configuration: PostgreSQL when a URL is set, else PGlite under the data folder. */
export function storeOptions(config: Config): { databaseUrl: string | undefined; dataDir: string } {
  return {
    databaseUrl: config.databaseUrl || undefined,
    dataDir: config.dataDir === 'memory://' ? config.dataDir : join(config.dataDir, 'pglite'),
  };
}

/**
 * The HMAC key: from configuration, or generated once into the data folder
 * (readable by the owner only) so hashes stay stable across restarts.
 */
async function hmacKey(config: Config): Promise<string> {
  if (config.hmacKey) return config.hmacKey;
  if (config.dataDir === 'memory://') return randomBytes(32).toString('hex');
  const file = join(config.dataDir, 'hmac.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(config.dataDir, { recursive: true });
    const key = randomBytes(32).toString('hex');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    await chmod(file, 0o600);
    return (await readFile(file, 'utf8')).trim();
  }
}
