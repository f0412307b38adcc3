import type { Actor } from './cases/roles.ts';
import { requirePermission } from './cases/roles.ts';
import {
  type Action,
  type AnyChannel,
  type Engine,
  type FieldIssue,
  MamoruError,
  type PolicyDocument,
  type PolicyRef,
  type PolicyVersion,
  policyDocumentSchema,
  policyIssues,
  validationError,
} from './core/index.ts';
import type { createExtractTools } from './intel/extract-tools.ts';
import type { DecisionRecord, Store } from './store/store.ts';

type Principal = Actor;

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
 * Policies as versioned data, per organisation and channel: the current one
 * (cached for five seconds), the channel's default, checking a document
 * (schema, the signals and detectors it names, the channel's own settings,
 * allow/deny values normalised), storing a new version, and dry-running a
 * draft against the decision log.
 */
export class PolicyService {
  readonly #store: Store;
  readonly #engine: Engine;
  readonly #channel: (name: string) => AnyChannel;
  readonly #tools: ReturnType<typeof createExtractTools>;
  readonly #cache = new Map<string, { ref: PolicyRef; at: number }>();

  constructor(parts: {
    store: Store;
    engine: Engine;
    channel: (name: string) => AnyChannel;
    tools: ReturnType<typeof createExtractTools>;
  }) {
    this.#store = parts.store;
    this.#engine = parts.engine;
    this.#channel = parts.channel;
    this.#tools = parts.tools;
  }

  /** The org's current policy for a channel (the channel's default, version 0, until one is stored). */
  async current(orgId: string, channelName: string): Promise<PolicyRef> {
    const key = `${orgId}\u0000${channelName}`;
    const cached = this.#cache.get(key);
    // A short cache: other processes' policy changes are seen within five seconds.
    if (cached && Date.now() - cached.at < 5_000) return cached.ref;
    const stored = await this.#store.policies.current(orgId, channelName);
    const ref: PolicyRef = stored ?? { version: 0, document: this.default(channelName) };
    this.#cache.set(key, { ref, at: Date.now() });
    return ref;
  }

  default(channelName: string): PolicyDocument {
    return policyDocumentSchema.parse(this.#channel(channelName).defaultPolicy);
  }

  /** Validate a policy document for a channel: schema, then signals and detectors it names. */
  check(channelName: string, document: unknown): PolicyDocument {
    const channel = this.#channel(channelName);
    const parsed = policyDocumentSchema.safeParse(document);
    if (!parsed.success) throw validationError(parsed.error.issues, 'invalid_policy');
    const issues: FieldIssue[] = policyIssues(
      parsed.data,
      channelName,
      new Set(this.#engine.signals(channelName).map((s) => s.name)),
      new Set(this.#engine.detectors(channelName)),
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

  async put(
    principal: Principal,
    channelName: string,
    document: unknown,
    comment?: string,
  ): Promise<PolicyVersion> {
    requirePermission(principal, 'policies:write');
    const checked = this.check(channelName, document);
    const version = await this.#store.policies.put({
      orgId: principal.orgId,
      channel: channelName,
      document: checked,
      createdBy: principal.id,
      ...(comment ? { comment } : {}),
    });
    this.#cache.delete(`${principal.orgId}\u0000${channelName}`);
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
    const document = this.check(channelName, draft);
    const draftRef: PolicyRef = { version: -1, document };
    // The log hands out pages of at most 1000; walk back until `limit` decisions are read.
    const records: DecisionRecord[] = [];
    while (records.length < limit) {
      const before = records.at(-1)?.seq;
      const page = await this.#store.decisions.list(principal.orgId, {
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
      const rescored = this.#engine.rescore(channelName, draftRef, verdict.hits, verdict.indicators);
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
}
