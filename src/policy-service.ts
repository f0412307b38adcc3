import type { Actor } from './cases/roles.ts';
import { requirePermission } from './cases/roles.ts';
import {
  type AnyChannel,
  type Engine,
  type FieldIssue,
  type IntelLookup,
  MamoruError,
  type PolicyDocument,
  type PolicyLayer,
  type PolicyRef,
  type PolicyVersion,
  policyDocumentSchema,
  validationError,
} from './core/index.ts';
import {
  isPlainObject,
  jsonDifferences,
  mergeSettings,
  resolvePolicy,
  unwrapPolicyInput,
} from './core/merge-policy.ts';
import type { createExtractTools } from './intel/extract-tools.ts';
import { type DryRunReport, dryRunPolicy } from './policy-dry-run.ts';
import type { Store } from './store/store.ts';

export type { DryRunChange, DryRunMode, DryRunReport } from './policy-dry-run.ts';

type Principal = Actor;

/**
 * A policy version as `policy show` and `GET /v1/policies/{channel}` print it:
 * the layer the organisation stored (`document`; `{}` for version 0, the
 * channel's default), the policy that runs (`effective`: the layer over the
 * channel's default policy and settings) and what of it came from the
 * default (`fromDefault`). `policy set` and `PUT` take this view back as it
 * is: they store its `document`.
 */
export interface PolicyView extends PolicyVersion {
  readonly effective: PolicyDocument;
  readonly fromDefault: readonly string[];
}

/** A checked policy: the layer to store and the document it resolves to. */
export interface CheckedPolicy {
  readonly layer: PolicyLayer;
  readonly effective: PolicyDocument;
  readonly fromDefault: readonly string[];
}

/**
 * Policies as versioned data, per organisation and channel. An organisation
 * stores layers over the channel's default (only what it changes; `null`
 * removes a default), so a policy that sets only `settings` keeps the
 * default's thresholds, weights and forced actions; what runs is the layer
 * resolved over the default (cached for five seconds). Also: checking a
 * document (schema, the signals, detectors and settings it names, allow/deny
 * values normalised), storing a new version, and dry-running a draft against
 * the decision log (`policy-dry-run.ts`).
 */
export class PolicyService {
  readonly #store: Store;
  readonly #engine: Engine;
  readonly #channel: (name: string) => AnyChannel;
  readonly #tools: ReturnType<typeof createExtractTools>;
  readonly #intel: IntelLookup | undefined;
  readonly #cache = new Map<string, { ref: PolicyRef; at: number }>();

  constructor(parts: {
    store: Store;
    engine: Engine;
    channel: (name: string) => AnyChannel;
    tools: ReturnType<typeof createExtractTools>;
    /** Intel for a dry-run that re-runs detectors (today's indicators); without it they see none. */
    intel?: IntelLookup;
  }) {
    this.#store = parts.store;
    this.#engine = parts.engine;
    this.#channel = parts.channel;
    this.#tools = parts.tools;
    this.#intel = parts.intel;
    // A policy stored through another server is current here at once (issue 8, item 8); the 5 s cache is the fallback.
    this.#store.cluster.subscribe('policy', (notice) => {
      if (notice.keys) for (const key of notice.keys) this.#cache.delete(key);
      else this.#cache.clear();
    });
  }

  /** The org's current policy for a channel, resolved (the channel's default, version 0, until one is stored). */
  async current(orgId: string, channelName: string): Promise<PolicyRef> {
    const key = `${orgId}\u0000${channelName}`;
    const cached = this.#cache.get(key);
    // A short cache: other processes' policy changes are seen within five seconds.
    if (cached && Date.now() - cached.at < 5_000) return cached.ref;
    const stored = await this.#store.policies.current(orgId, channelName);
    const ref: PolicyRef = stored
      ? { version: stored.version, document: this.effective(channelName, stored.document) }
      : { version: 0, document: this.default(channelName) };
    this.#cache.set(key, { ref, at: Date.now() });
    return ref;
  }

  /**
   * The channel's default policy, with the channel's default settings under
   * its `settings` and each signal's declared forced action under
   * `signals.<NAME>.forceAction` (issue 8, item 5: a forced action is declared
   * once, with its signal; the default policy shows it, never restates it).
   */
  default(channelName: string): PolicyDocument {
    const channel = this.#channel(channelName);
    const doc = policyDocumentSchema.parse(channel.defaultPolicy);
    const signals: PolicyDocument['signals'] = {};
    for (const s of channel.signals) if (s.forceAction) signals[s.name] = { forceAction: s.forceAction };
    return {
      ...doc,
      signals: { ...signals, ...doc.signals },
      settings: mergeSettings(channel.defaultSettings ?? {}, doc.settings),
    };
  }

  /**
   * What a stored layer resolves to. A layer stored before a check existed (or
   * before the default changed under it) may not resolve cleanly: the sections
   * at fault fall back to the default's and the rest of the layer stands, so
   * screening goes on (rspamd: bad configuration turns the piece off).
   */
  effective(channelName: string, layer: PolicyLayer): PolicyDocument {
    const defaults = this.default(channelName);
    const parsed = policyDocumentSchema.safeParse(resolvePolicy(defaults, layer).merged);
    if (parsed.success) return parsed.data;
    const faulty = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
    const kept = Object.fromEntries(Object.entries(layer).filter(([key]) => !faulty.has(key)));
    const again = policyDocumentSchema.safeParse(resolvePolicy(defaults, kept).merged);
    return again.success ? again.data : defaults;
  }

  /** The current version as printed by `policy show` and `GET /v1/policies/{channel}`. */
  async show(orgId: string, channelName: string): Promise<PolicyView> {
    this.#channel(channelName);
    const stored = await this.#store.policies.current(orgId, channelName);
    return this.#view(
      channelName,
      stored ?? {
        orgId,
        channel: channelName,
        version: 0,
        document: {},
        createdBy: 'mamoru',
        createdAt: new Date(0).toISOString(),
      },
    );
  }

  /** One stored version, viewed; undefined when there is none. */
  async version(orgId: string, channelName: string, version: number): Promise<PolicyView | undefined> {
    this.#channel(channelName);
    const v = await this.#store.policies.get(orgId, channelName, version);
    return v && this.#view(channelName, v);
  }

  /** Every stored version, newest first, viewed. */
  async history(orgId: string, channelName: string): Promise<PolicyView[]> {
    this.#channel(channelName);
    const versions = await this.#store.policies.history(orgId, channelName);
    return versions.map((v) => this.#view(channelName, v));
  }

  /** Validate a policy document for a channel and return the document that would run. */
  check(channelName: string, input: unknown): PolicyDocument {
    return this.checkLayer(channelName, input).effective;
  }

  /**
   * Check a policy layer (or a `policy show` view) for a channel: resolve it
   * over the default, then the schema, the signals, detectors and groups it
   * names, the channel's settings and the allow/deny values. Every problem is
   * named in one `invalid_policy` error.
   */
  checkLayer(channelName: string, input: unknown): CheckedPolicy {
    const channel = this.#channel(channelName);
    const defaults = this.default(channelName);
    const unwrapped = unwrapPolicyInput(input);
    const resolved = resolvePolicy(defaults, unwrapped.layer);
    const issues: FieldIssue[] = [...unwrapped.issues, ...resolved.issues];
    if (unwrapped.channel !== undefined && unwrapped.channel !== channelName)
      issues.push({
        path: 'channel',
        message: `${channelName} でなければなりません / must be ${channelName}`,
      });
    if (issues.length > 0) throw invalidPolicy(issues);
    const parsed = policyDocumentSchema.safeParse(resolved.merged);
    if (!parsed.success) {
      const error = validationError(parsed.error.issues, 'invalid_policy');
      throw invalidPolicy(error.issues.map((i) => withDefaultThresholds(i, defaults, resolved.fromDefault)));
    }
    // What the default brings is the channel's to answer for (the engine reports it at start), not the writer's.
    const given = (i: FieldIssue) =>
      !resolved.fromDefault.some((p) => i.path === p || i.path.startsWith(`${p}.`));
    issues.push(...this.#engine.policyIssues(channelName, parsed.data).filter(given));
    issues.push(...settingsIssues(channel, parsed.data.settings).filter(given));
    // Allow/deny values are compared with extracted indicators, so they are stored normalised (E.164, canonical URL, keyed hash).
    const normalise = (list: 'allow' | 'deny') =>
      parsed.data.overrides[list].map((entry, i) => {
        const ref = this.#tools.indicator(entry.type, entry.value);
        if (!ref) issues.push({ path: `overrides.${list}.${i}.value`, message: `not a valid ${entry.type}` });
        return ref ? { ...entry, value: ref.value } : entry;
      });
    const overrides = { ...parsed.data.overrides, allow: normalise('allow'), deny: normalise('deny') };
    const effective: PolicyDocument = { ...parsed.data, overrides };
    if (issues.length > 0) throw invalidPolicy(issues);
    return {
      layer: normalisedLayer(unwrapped.layer, overrides),
      effective,
      fromDefault: resolved.fromDefault,
    };
  }

  /** Store a layer (or a `policy show` view) as the channel's next version; returns it viewed. */
  async put(
    principal: Principal,
    channelName: string,
    input: unknown,
    comment?: string,
  ): Promise<PolicyView> {
    requirePermission(principal, 'policies:write');
    const checked = this.checkLayer(channelName, input);
    await this.#refuseEditedEffective(principal.orgId, channelName, input);
    const version = await this.#store.policies.put({
      orgId: principal.orgId,
      channel: channelName,
      document: checked.layer,
      createdBy: principal.id,
      ...(comment ? { comment } : {}),
    });
    const key = `${principal.orgId}\u0000${channelName}`;
    this.#cache.delete(key);
    void this.#store.cluster.announce({ topic: 'policy', org: principal.orgId, keys: [key] });
    return { ...version, effective: checked.effective, fromDefault: checked.fromDefault };
  }

  /**
   * Store, as the channel's next version, the layer an earlier version stored
   * (version 0: the empty layer, back to the channel default). The history
   * keeps who rolled back and when; the comment defaults to
   * `v<N> に戻す / rollback to v<N>`. The layer is checked as a new one is.
   * @throws MamoruError `not_found` naming `body.version` when there is no such version.
   */
  async rollback(
    principal: Principal,
    channelName: string,
    version: number,
    comment?: string,
  ): Promise<PolicyView> {
    requirePermission(principal, 'policies:write');
    this.#channel(channelName);
    let layer: PolicyLayer = {};
    if (version !== 0) {
      const stored = await this.#store.policies.get(principal.orgId, channelName, version);
      if (!stored) {
        const message = `policy ${channelName} has no version ${version}`;
        throw new MamoruError('not_found', message, { issues: [{ path: 'body.version', message }] });
      }
      layer = stored.document;
    }
    return this.put(
      principal,
      channelName,
      { document: layer },
      comment || `v${version} に戻す / rollback to v${version}`,
    );
  }

  /**
   * Dry-run a draft (a layer, or a `policy show` view) against the last
   * `limit` decisions of a channel: see {@link dryRunPolicy}.
   */
  async dryRun(
    principal: Principal,
    channelName: string,
    draft: unknown,
    limit = 1000,
  ): Promise<DryRunReport> {
    requirePermission(principal, 'policies:read');
    const document = this.check(channelName, draft);
    await this.#refuseEditedEffective(principal.orgId, channelName, draft);
    const versions = new Map<number, Promise<PolicyDocument | undefined>>();
    return dryRunPolicy({
      engine: this.#engine,
      decisions: this.#store.decisions,
      channel: this.#channel(channelName),
      tools: this.#tools,
      intel: this.#intel,
      orgId: principal.orgId,
      draft: document,
      limit,
      // The policy each decision was made under: its stored version resolved today (the current one if that
      // version is gone), or the default for version 0.
      policyOf: (version) => {
        let found = versions.get(version);
        if (!found) {
          found =
            version === 0
              ? Promise.resolve(this.default(channelName))
              : this.#store.policies
                  .get(principal.orgId, channelName, version)
                  .then(async (v) =>
                    v
                      ? this.effective(channelName, v.document)
                      : (await this.current(principal.orgId, channelName)).document,
                  );
          versions.set(version, found);
        }
        return found;
      },
    });
  }

  /**
   * A `policy show` view given back must have its `effective` as shown: it is
   * printed, never stored, so an edit there would be lost — it is refused,
   * naming the paths, rather than ignored. Edits go in `document`.
   */
  async #refuseEditedEffective(orgId: string, channelName: string, input: unknown): Promise<void> {
    const { effective, version } = unwrapPolicyInput(input);
    if (effective === undefined) return;
    const numbered = typeof version === 'number' && Number.isSafeInteger(version) && version > 0;
    const shown =
      version === 0
        ? undefined
        : ((numbered ? await this.#store.policies.get(orgId, channelName, version) : undefined) ??
          (await this.#store.policies.current(orgId, channelName)));
    const expected = shown ? this.effective(channelName, shown.document) : this.default(channelName);
    const edited = jsonDifferences(expected, effective, 'effective', 5);
    if (edited.length === 0) return;
    throw invalidPolicy(
      edited.map((path) => ({
        path,
        message:
          'effective は表示専用です。変更は document に書いてください（既定が変わったときは policy show をやり直してください）/ ' +
          'effective is read only: make the change in document (if the default changed since, run policy show again)',
      })),
    );
  }

  #view(channelName: string, v: PolicyVersion): PolicyView {
    const resolved = resolvePolicy(this.default(channelName), v.document);
    return {
      ...v,
      channel: channelName,
      effective: this.effective(channelName, v.document),
      fromDefault: resolved.fromDefault,
    };
  }
}

/**
 * A threshold out of order because of one the layer did not give (the
 * default's `warn` under a layer's `review: 0.5`) says where that one came
 * from and how to remove it: otherwise the writer sees a value they never wrote.
 */
function withDefaultThresholds(
  issue: FieldIssue,
  defaults: PolicyDocument,
  fromDefault: readonly string[],
): FieldIssue {
  if (!issue.path.startsWith('thresholds.')) return issue;
  const inherited = Object.entries(defaults.thresholds).filter(
    ([action]) => fromDefault.includes(`thresholds.${action}`) || fromDefault.includes('thresholds'),
  );
  if (inherited.length === 0) return issue;
  const list = inherited.map(([action, min]) => `${action}=${min}`).join(', ');
  return {
    path: issue.path,
    message:
      `${issue.message} — 既定のしきい値 ${list} が残っています（外すには null）/ ` +
      `the default's thresholds ${list} still apply (null removes one)`,
  };
}

function invalidPolicy(issues: readonly FieldIssue[]): MamoruError {
  return new MamoruError('invalid_policy', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
  });
}

/**
 * What is wrong with a policy's settings for a channel: every top-level key
 * that is not one of its default settings (a channel without settings takes
 * none), so a misspelt setting is refused rather than stored and ignored;
 * then the channel's own check of the values, when it has one.
 */
function settingsIssues(channel: AnyChannel, settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  const known = channel.defaultSettings ?? {};
  const unknown = Object.keys(settings)
    .filter((key) => !Object.hasOwn(known, key))
    .map((key) => ({
      path: `settings.${key}`,
      message:
        Object.keys(known).length === 0
          ? `${channel.name} チャネルには設定がありません / the ${channel.name} channel has no settings`
          : `不明な設定です（${Object.keys(known).join('、')} のいずれか）/ unknown setting (one of ${Object.keys(known).join(', ')})`,
    }));
  return channel.settingsIssues ? [...unknown, ...channel.settingsIssues(settings)] : unknown;
}

/** The layer as stored: as given, with the allow/deny lists it gives normalised. */
function normalisedLayer(layer: PolicyLayer, overrides: PolicyDocument['overrides']): PolicyLayer {
  const given = layer.overrides;
  if (!isPlainObject(given)) return layer;
  const out: Record<string, unknown> = { ...given };
  if (Array.isArray(given.allow)) out.allow = overrides.allow;
  if (Array.isArray(given.deny)) out.deny = overrides.deny;
  return { ...layer, overrides: out };
}
