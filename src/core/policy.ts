import { z } from 'zod';
import { ACTIONS, type Action, CASE_ACTIONS } from './action.ts';
import type { IndicatorRef } from './indicator.ts';
import { INDICATOR_TYPES } from './indicator.ts';
import { isSignalName, MAX_WEIGHT, type SignalDeclaration } from './signal.ts';
import { POLICY_SIGNALS } from './signals.ts';

/**
 * The engine's own signals a policy may not tune: the list matches (their
 * actions are `overrides.denyAction` and allow). `POLICY_ENRICHMENT_FAILED`
 * is tunable: a policy chooses what a failed lookup leads to (review by
 * default; a mail operator may prefer `hold`).
 */
const ENGINE_SIGNALS: ReadonlySet<string> = new Set(
  POLICY_SIGNALS.map((s) => s.name).filter((n) => n !== 'POLICY_ENRICHMENT_FAILED'),
);

/** Whether a policy may not set this signal under `signals` (the engine's own list signals). */
export function isEngineSignal(name: string): boolean {
  return ENGINE_SIGNALS.has(name);
}

/**
 * A policy is versioned data, not code (rspamd's `scores.d` + `actions.conf` +
 * `force_actions`): per organisation and channel, weights per signal, a
 * maximum per group, score thresholds per action, forced actions, allow/deny
 * overrides and the channel's own settings (line caps, limits…).
 *
 * Forced actions raise the action to *at least* the forced one; only an allow
 * override can bring a verdict down to `allow`.
 */
const actionSchema = z.enum(ACTIONS);
/** Every action but allow: what a threshold or a deny list can lead to. */
const raisedActionSchema = z.enum(ACTIONS.filter((a) => a !== 'allow') as [Action, ...Action[]]);
const finite = z.number().finite();
const weight = finite.min(-MAX_WEIGHT).max(MAX_WEIGHT);

export const signalSettingSchema = z
  .object({
    weight: weight.optional(),
    forceAction: actionSchema.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const overrideEntrySchema = z
  .object({
    type: z.enum(INDICATOR_TYPES),
    value: z.string().min(1).max(2048),
    reason: z.string().max(500).optional(),
  })
  .strict();

export const policyDocumentSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower case letters, digits, . _ -'),
    channel: z.string().min(1).max(50),
    description: z.string().max(2000).optional(),
    /** Minimum score for each action; the most severe action reached wins. */
    thresholds: z.partialRecord(raisedActionSchema, finite).default({}).superRefine(checkThresholdOrder),
    signals: z
      .record(
        z.string().refine(isSignalName, 'not a signal name (SCREAMING_SNAKE with a prefix)'),
        signalSettingSchema,
      )
      .default({}),
    groups: z.record(z.string(), z.object({ maxScore: finite.positive().optional() }).strict()).default({}),
    detectors: z
      .record(
        z.string(),
        z
          .object({ enabled: z.boolean().optional(), budgetMs: finite.positive().max(60_000).optional() })
          .strict(),
      )
      .default({}),
    overrides: z
      .object({
        allow: z.array(overrideEntrySchema).max(10_000).default([]),
        deny: z.array(overrideEntrySchema).max(10_000).default([]),
        /** What a deny-listed indicator gets; never allow, which would make the list an allow list. */
        denyAction: raisedActionSchema.default('block'),
      })
      .strict()
      .default({ allow: [], deny: [], denyAction: 'block' }),
    /** Hours a case opened by this action may wait before it expires. */
    caseSlaHours: z.partialRecord(z.enum(CASE_ACTIONS), finite.positive().max(24 * 365)).default({}),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * A more severe action needs a higher threshold: with `block: 5, review: 10`
 * every score that reaches review already reaches block, so review could
 * never be chosen. Such a policy is a mistake, not a choice.
 */
function checkThresholdOrder(thresholds: Partial<Record<Action, number>>, ctx: z.RefinementCtx): void {
  let below: [Action, number] | undefined;
  for (const action of ACTIONS) {
    const min = thresholds[action];
    if (min === undefined) continue;
    if (below && min <= below[1]) {
      ctx.addIssue({
        code: 'custom',
        path: [action],
        message:
          `${below[0]} のしきい値（${below[1]}）より大きくしてください（重いアクションほど高いスコア）/ ` +
          `must be above the ${below[0]} threshold (${below[1]}): a more severe action needs a higher score`,
      });
    }
    if (!below || min > below[1]) below = [action, min];
  }
}

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;

/**
 * A policy as an organisation writes and stores it: a layer over the
 * channel's default policy, with the shape of a {@link PolicyDocument} where
 * every field is optional and `null` removes what the default has (see
 * `resolvePolicy` in `merge-policy.ts` and `docs/policies.md`). What runs is
 * the layer resolved over the default of the running release.
 *
 * @example { settings: { lineCaps: { person: { voice: 6 } } }, thresholds: { step_up: null } }
 */
export type PolicyLayer = Readonly<Record<string, unknown>>;

/** A stored policy version: the layer the organisation wrote, who wrote it and why. */
export interface PolicyVersion {
  readonly orgId: string;
  readonly channel: string;
  readonly version: number;
  readonly document: PolicyLayer;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly comment?: string | undefined;
}

/** What the engine needs of a policy: the document and its version. */
export interface PolicyRef {
  readonly version: number;
  readonly document: PolicyDocument;
}

/** The effective setting of one signal after the policy is applied. */
export interface EffectiveSignal {
  readonly declaration: SignalDeclaration;
  readonly weight: number;
  readonly forceAction: Action | undefined;
  readonly enabled: boolean;
}

/** A policy compiled for fast evaluation: lookups are maps, not scans. */
export interface CompiledPolicy {
  readonly ref: PolicyRef;
  readonly signals: ReadonlyMap<string, EffectiveSignal>;
  readonly groupMax: ReadonlyMap<string, number>;
  /** Thresholds sorted from the most severe action down. */
  readonly thresholds: readonly (readonly [Action, number])[];
  readonly allow: ReadonlyMap<string, string>;
  readonly deny: ReadonlyMap<string, string>;
  readonly denyAction: Action;
  readonly disabledDetectors: ReadonlySet<string>;
  readonly budgets: ReadonlyMap<string, number>;
}

export function overrideKey(type: string, value: string): string {
  return `${type}\u0000${value}`;
}

/**
 * Compile a policy against the declared signals. Settings for undeclared
 * signals, and for the engine's own `POLICY_*` signals (the allow and deny
 * lists decide alone), are reported by {@link policyIssues}; here they are
 * ignored.
 */
export function compilePolicy(ref: PolicyRef, declared: Iterable<SignalDeclaration>): CompiledPolicy {
  const doc = ref.document;
  const signals = new Map<string, EffectiveSignal>();
  for (const declaration of declared) {
    const setting =
      Object.hasOwn(doc.signals, declaration.name) && !ENGINE_SIGNALS.has(declaration.name)
        ? doc.signals[declaration.name]
        : undefined;
    const forced =
      setting?.forceAction === undefined ? declaration.forceAction : (setting.forceAction ?? undefined);
    signals.set(declaration.name, {
      declaration,
      weight: setting?.weight ?? declaration.weight,
      forceAction: forced,
      enabled: setting?.enabled ?? true,
    });
  }
  const groupMax = new Map<string, number>();
  for (const [group, g] of Object.entries(doc.groups))
    if (g.maxScore !== undefined) groupMax.set(group, g.maxScore);
  const thresholds = (Object.entries(doc.thresholds) as [Action, number][])
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => ACTIONS.indexOf(b) - ACTIONS.indexOf(a));
  const toMap = (entries: readonly { type: string; value: string; reason?: string | undefined }[]) =>
    new Map(entries.map((e) => [overrideKey(e.type, e.value), e.reason ?? '']));
  const disabledDetectors = new Set<string>();
  const budgets = new Map<string, number>();
  for (const [name, d] of Object.entries(doc.detectors)) {
    if (d.enabled === false) disabledDetectors.add(name);
    if (d.budgetMs !== undefined) budgets.set(name, d.budgetMs);
  }
  return {
    ref,
    signals,
    groupMax,
    thresholds,
    allow: toMap(doc.overrides.allow),
    deny: toMap(doc.overrides.deny),
    denyAction: doc.overrides.denyAction,
    disabledDetectors,
    budgets,
  };
}

/**
 * Problems a policy has against the declared signals, detectors and (when
 * given) signal groups of its channel (empty when fine). The schema checks
 * the document's shape; this checks that what it names exists.
 */
export function policyIssues(
  doc: PolicyDocument,
  channel: string,
  declared: ReadonlySet<string>,
  detectors: ReadonlySet<string>,
  groups?: ReadonlySet<string>,
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (doc.channel !== channel) issues.push({ path: 'channel', message: `must be ${channel}` });
  for (const name of Object.keys(doc.signals)) {
    if (ENGINE_SIGNALS.has(name))
      issues.push({
        path: `signals.${name}`,
        message:
          "the engine's own signal: use the policy's overrides (allow and deny lists; overrides.denyAction)",
      });
    else if (!declared.has(name))
      issues.push({ path: `signals.${name}`, message: 'unknown signal for this channel' });
  }
  for (const name of Object.keys(doc.detectors)) {
    if (!detectors.has(name))
      issues.push({ path: `detectors.${name}`, message: 'unknown detector for this channel' });
  }
  if (groups) {
    for (const name of Object.keys(doc.groups)) {
      if (!groups.has(name))
        issues.push({ path: `groups.${name}`, message: 'unknown signal group for this channel' });
    }
  }
  return issues;
}

/** The allow or deny entry an event's indicators match, if any. */
export interface OverrideMatch {
  readonly list: 'allow' | 'deny';
  readonly indicator: IndicatorRef;
  /** The entry's `reason` ('' when it gave none). */
  readonly reason: string;
}

/**
 * Match indicators against a policy's allow and deny lists. A deny entry wins
 * over an allow entry wherever each appears. The engine and the policy dry-run
 * both use it, so they cannot disagree.
 */
export function matchOverride(
  policy: CompiledPolicy,
  indicators: readonly IndicatorRef[],
): OverrideMatch | undefined {
  if (policy.deny.size === 0 && policy.allow.size === 0) return undefined;
  let allow: OverrideMatch | undefined;
  for (const indicator of indicators) {
    const key = overrideKey(indicator.type, indicator.value);
    const denied = policy.deny.get(key);
    if (denied !== undefined) return { list: 'deny', indicator, reason: denied };
    if (!allow) {
      const allowed = policy.allow.get(key);
      if (allowed !== undefined) allow = { list: 'allow', indicator, reason: allowed };
    }
  }
  return allow;
}
