import type { Logger } from 'pino';
import { CaseService, type OpenedCase } from './cases/case-service.ts';
import type { CaseStatus } from './cases/case-status.ts';
import { OutcomeBus } from './cases/outcome-bus.ts';
import { type Actor, requirePermission } from './cases/roles.ts';
import { CHANNEL_PLUGINS, createChannels, type RegisteredChannel } from './channels/registry.ts';
import type { Config } from './config.ts';
import {
  type AnyChannel,
  createEngine,
  describeOriginKinds,
  type Engine,
  invalidField,
  isMamoruError,
  MamoruError,
  newId,
  ORIGIN_MESSAGE,
  opensCase,
  originOfKinds,
  type PolicyDocument,
  type PolicyRef,
  type PolicyVersion,
  type ScreenEvent,
  screeningOrigin,
  type Verdict,
  validationError,
} from './core/index.ts';
import { registerJapaneseMessages } from './core/messages-ja.ts';
import { safeError } from './core/safe-error.ts';
import { createExtractTools } from './intel/extract-tools.ts';
import type { ImportTarget } from './intel/import-indicators.ts';
import { IndicatorService } from './intel/indicator-service.ts';
import { createKeyedHasher } from './intel/keyed-hash.ts';
import type { Metrics } from './metrics.ts';
import { type DryRunReport, PolicyService } from './policy-service.ts';
import {
  checkKeyFingerprint,
  createOperator,
  hmacKey,
  prepareDataDir,
  storeOptions,
  writeKeyFile,
} from './setup.ts';
import { openStore } from './store/index.ts';
import type { ApiKey, Role, Store } from './store/store.ts';

/**
 * The origin a new key is bound to, from `origin` or its older name `outlet`,
 * and the field that named it.
 *
 * @throws MamoruError `validation_failed` when both are given and differ.
 */
function boundOrigin(input: { origin?: string | undefined; outlet?: string | undefined }): {
  origin: string | undefined;
  field: 'origin' | 'outlet';
} {
  if (input.origin !== undefined && input.outlet !== undefined && input.origin !== input.outlet)
    throw invalidField('outlet', 'outlet is the older name of origin: give one of them');
  return input.origin !== undefined
    ? { origin: input.origin, field: 'origin' }
    : { origin: input.outlet, field: input.outlet === undefined ? 'origin' : 'outlet' };
}

/** A screening's answer: the verdict, and the case that waits on it when a person is needed. */
export type ScreenResult = Verdict & { readonly case?: ScreenedCase };

/** The case of a screened event: opened for this verdict, or (`reused`) the one its subject had open. */
export interface ScreenedCase {
  readonly id: string;
  readonly status: CaseStatus;
  readonly reused: boolean;
}

/** Who is asking: an API key (or the CLI) of one organisation, with its role. */
export type Principal = Actor;
export type { DryRunChange, DryRunReport } from './policy-service.ts';
export { storeOptions } from './setup.ts';

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
  readonly policies: PolicyService;
  readonly outcomes: OutcomeBus;
  readonly logger: Logger | undefined;
  readonly metrics: Metrics | undefined;
  readonly #channels: ReadonlyMap<string, AnyChannel>;
  readonly #tools: ReturnType<typeof createExtractTools>;
  /** Each answer of `screen` and the JSON text the decision log made of its verdict (`answerJson`). */
  readonly #logged = new WeakMap<object, string>();

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
    this.policies = new PolicyService({
      store: parts.store,
      engine: parts.engine,
      channel: (name) => this.channel(name),
      tools: parts.tools,
      intel: parts.intel,
    });
  }

  static async open(
    config: Config,
    options: {
      logger?: Logger;
      metrics?: Metrics;
      /**
       * The channel plug-ins to serve (their migrations run with the core's); the registry's
       * (`CHANNEL_PLUGINS`) when absent.
       */
      plugins?: readonly RegisteredChannel[];
      /** Channels already built, with no tables of their own (tests); replaces `plugins`' channels. */
      channels?: readonly AnyChannel[];
    } = {},
  ): Promise<Mamoru> {
    // The data folder is the owner's only before anything is written in it.
    await prepareDataDir(config);
    const plugins = options.plugins ?? CHANNEL_PLUGINS;
    const store = await openStore({
      ...storeOptions(config, plugins),
      onConnectionError: (err) =>
        options.logger?.warn({ err: safeError(err) }, 'idle database connection failed; it will be replaced'),
      onClusterError: (err, what) =>
        options.logger?.warn(
          { err: safeError(err), what },
          'cluster notification failed; caches fall back to their TTL',
        ),
    });
    const hasher = createKeyedHasher(await hmacKey(config));
    await checkKeyFingerprint(store, hasher);
    // Lookups cached here are forgotten when another process on the database writes them (issue 8 item 8).
    const intel = new IndicatorService({ db: store.db, hasher, cache: { cluster: store.cluster } });
    const outcomes = new OutcomeBus({
      onError: (error, outcome) =>
        options.logger?.error({ err: safeError(error), caseId: outcome.caseId }, 'outcome handler failed'),
    });
    const instance = store.cluster.instance;
    const cases = new CaseService({
      db: store.db,
      outcomes,
      indicatorSink: intel,
      // The name this process claims outcomes under; each delivery is logged with it, one process per outcome.
      instance,
      onDelivery: (outcome, delivered) =>
        delivered
          ? options.logger?.info(
              { caseId: outcome.caseId, effect: outcome.effect, instance },
              'case outcome delivered',
            )
          : options.logger?.warn(
              { caseId: outcome.caseId, instance },
              'case outcome not delivered; the sweep tries again',
            ),
    });
    const channels =
      options.channels ??
      createChannels({ db: store.db, hasher, decisions: store.decisions, intel, cases }, plugins);
    for (const channel of channels) {
      registerJapaneseMessages(channel.messagesJa);
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
   * policy, write the decision log, open a case when a person is needed. The
   * verdict comes back with its `case` when it has one: opened for it, or
   * (`reused`) the case its subject already had waiting. The decision log
   * keeps the verdict without it.
   */
  async screen(
    principal: Principal,
    channelName: string,
    payload: unknown,
    options: { eventId?: string; validated?: boolean } = {},
  ): Promise<ScreenResult> {
    requirePermission(principal, 'screen');
    const channel = this.channel(channelName);
    let body = payload;
    if (!options.validated) {
      const parsed = channel.schema.safeParse(payload);
      if (!parsed.success) throw validationError(parsed.error.issues);
      body = parsed.data;
    }
    // A key bound to an origin (a shop's, an agency's, one MTA's) screens that origin's events only; their cases are its.
    const origin = screeningOrigin(channel.origin?.(body), principal.origin);
    const event: ScreenEvent = {
      id: options.eventId ?? newId('evt'),
      orgId: principal.orgId,
      channel: channel.name,
      receivedAt: new Date().toISOString(),
      payload: body,
    };
    const policy = await this.policy(principal.orgId, channel.name);
    const now = new Date(event.receivedAt);
    const { verdict, screening } = await this.engine.screen({
      event,
      policy,
      tools: this.#tools,
      intel: this.intel,
      now,
    });
    let logged: string | undefined;
    try {
      const stored = channel.redact ? channel.redact(event.payload, this.#tools, screening) : event.payload;
      logged = (await this.store.decisions.append(verdict, stored)).verdictJson;
    } catch (error) {
      this.metrics?.decisionLogFailures.inc();
      throw error;
    }
    // Once the verdict is logged, the channel's record and the case are independent writes: run them
    // together, and let both finish (a failing record must not leave a review without its case).
    const writes: Promise<unknown>[] = [];
    if (channel.record) writes.push(channel.record(verdict, screening));
    let opened: OpenedCase | undefined;
    if (opensCase(verdict.action) && (channel.opensCase?.(verdict) ?? true))
      writes.push(
        this.cases
          .open(verdict, {
            origin,
            slaHours: policy.document.caseSlaHours,
            details: channel.caseDetails?.(verdict, screening),
            subject: channel.subject?.(body, screening),
          })
          .then((o) => {
            opened = o;
          }),
      );
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    this.metrics?.observeVerdict(verdict);
    const result: ScreenResult = opened
      ? { ...verdict, case: { id: opened.case.id, status: opened.case.status, reused: opened.reused } }
      : verdict;
    // The logged text is a JSON object: the case goes in before its closing brace.
    if (logged !== undefined)
      this.#logged.set(
        result,
        result.case ? `${logged.slice(0, -1)},"case":${JSON.stringify(result.case)}}` : logged,
      );
    return result;
  }

  /**
   * An answer of `screen` as JSON text, made from the text the decision log
   * stored and hashed (its keys sorted, then `case`), so that a verdict is
   * serialised once (issue 8, item 10); undefined for any other object, or
   * when the log stored the verdict changed. The whole answer: a key bound
   * to an origin is shown less of it, and answered from the object.
   */
  answerJson(result: unknown): string | undefined {
    return typeof result === 'object' && result !== null ? this.#logged.get(result) : undefined;
  }

  /** The org's current policy for a channel (the channel's default, version 0, until one is stored). */
  policy(orgId: string, channelName: string): Promise<PolicyRef> {
    return this.policies.current(orgId, channelName);
  }

  defaultPolicy(channelName: string): PolicyDocument {
    return this.policies.default(channelName);
  }

  checkPolicy(channelName: string, document: unknown): PolicyDocument {
    return this.policies.check(channelName, document);
  }

  putPolicy(
    principal: Principal,
    channelName: string,
    document: unknown,
    comment?: string,
  ): Promise<PolicyVersion> {
    return this.policies.put(principal, channelName, document, comment);
  }

  dryRun(principal: Principal, channelName: string, draft: unknown, limit?: number): Promise<DryRunReport> {
    return this.policies.dryRun(principal, channelName, draft, limit);
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

  /**
   * Issue an API key in the caller's organisation. A key bound to an origin
   * (`origin`, or `outlet` as clients wrote it before issue 8) may be bound
   * only to an origin of a kind some channel fills (`shop:<id>`, `online`…),
   * so that a typo does not make a key that can screen nothing; the field
   * at fault is named as the caller wrote it.
   */
  async createKey(
    principal: Principal,
    input: { name: string; role: Role; origin?: string | undefined; outlet?: string | undefined },
  ): Promise<{ key: ApiKey; token: string }> {
    requirePermission(principal, 'keys:admin');
    const { origin, field } = boundOrigin(input);
    if (origin !== undefined) {
      const kinds = this.channels().flatMap((c) => c.originKinds ?? []);
      if (!originOfKinds(origin.trim(), kinds))
        throw invalidField(
          field,
          kinds.length > 0
            ? `must be an origin a channel screens: ${describeOriginKinds(kinds)}`
            : ORIGIN_MESSAGE,
        );
    }
    try {
      return await this.store.keys.create({
        orgId: principal.orgId,
        name: input.name,
        role: input.role,
        createdBy: principal.id,
        ...(origin === undefined ? {} : { origin }),
      });
    } catch (error) {
      // The store names `origin`; the caller may have written `outlet`.
      if (isMamoruError(error) && field !== 'origin' && error.issues.some((i) => i.path === 'origin'))
        throw invalidField(field, error.issues.find((i) => i.path === 'origin')?.message ?? ORIGIN_MESSAGE);
      throw error;
    }
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
    const first = await createOperator(this.store, this.intel, options);
    if (first && options.demo && this.config.dataDir !== 'memory://') {
      // Lets the README's sample request work as pasted; readable by the owner only.
      await writeKeyFile(this.config, 'demo-api-key', first.token);
    }
    return first;
  }

  async close(): Promise<void> {
    await this.outcomes.drain();
    await this.store.close();
  }
}
