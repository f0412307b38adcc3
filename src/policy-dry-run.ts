import {
  type Action,
  type AnyChannel,
  type Engine,
  type ExtractTools,
  type IntelLookup,
  type LocalizedText,
  matchOverride,
  type PolicyDocument,
  type PolicyRef,
  type Verdict,
} from './core/index.ts';
import { jsonDifferences } from './core/merge-policy.ts';
import type { DecisionLog, DecisionRecord } from './store/store.ts';

/**
 * How a decision was tried under the draft:
 * - `rescored`: its recorded hits scored again under the draft — exact when
 *   the draft changes only weights, thresholds, forced actions, group caps,
 *   allow/deny lists or turns detectors and signals off;
 * - `reevaluated`: its detectors run again on the recorded event (the draft
 *   changes settings, or turns on a detector or signal, or no longer decides
 *   it by a list), as the channel's detectors would have run then, with
 *   today's intel;
 * - `rescored_only`: re-running was needed but the channel cannot do it from
 *   what the log keeps (its detectors need history loaded at screening, or the
 *   log keeps the event redacted), so only its recorded hits were re-scored.
 */
export const DRY_RUN_MODES = ['rescored', 'reevaluated', 'rescored_only'] as const;
export type DryRunMode = (typeof DRY_RUN_MODES)[number];

export interface DryRunChange {
  readonly decisionId: string;
  readonly createdAt: string;
  readonly mode: DryRunMode;
  readonly from: { readonly action: Action; readonly score: number };
  readonly to: { readonly action: Action; readonly score: number };
  /**
   * Re-evaluated only: the event run again under the policy it was decided
   * under, when that no longer gives the recorded verdict (today's intel
   * differs): part of the change is not the draft's.
   */
  readonly replayed?: { readonly action: Action; readonly score: number };
  /** Why the change may be incomplete (`rescored_only`). */
  readonly note?: LocalizedText;
}

export interface DryRunReport {
  readonly channel: string;
  readonly checked: number;
  readonly changed: number;
  readonly transitions: Readonly<Record<string, number>>;
  /** Every decision checked, counted by action as recorded (`before`) and under the draft (`after`). */
  readonly actions: {
    readonly before: Readonly<Partial<Record<Action, number>>>;
    readonly after: Readonly<Partial<Record<Action, number>>>;
  };
  readonly changes: readonly DryRunChange[];
  /** `rescore`, `reevaluate` or `rescore_only` when every decision was tried one way; `mixed` otherwise. */
  readonly mode: 'rescore' | 'reevaluate' | 'rescore_only' | 'mixed';
  /** Decisions tried each way. */
  readonly modes: Readonly<Record<DryRunMode, number>>;
  /** What in the draft needs detectors run again, against the policies the decisions were made under. */
  readonly reevaluate: readonly string[];
  /** Decisions that needed detectors run again and could only be re-scored: every one named. */
  readonly rescoredOnly: {
    readonly count: number;
    readonly note?: LocalizedText;
    readonly decisionIds: readonly string[];
  };
  /** Decisions decided by an allow or deny list whose detectors (skipped then) could not be run. */
  readonly incomplete: number;
  /** Re-evaluated decisions whose recorded verdict their own policy no longer gives (intel changed since). */
  readonly drifted: number;
  readonly summary: LocalizedText;
}

export interface DryRunInput {
  readonly engine: Engine;
  readonly decisions: Pick<DecisionLog, 'list'>;
  readonly channel: AnyChannel;
  readonly tools: ExtractTools;
  readonly intel: IntelLookup | undefined;
  readonly orgId: string;
  readonly draft: PolicyDocument;
  readonly limit: number;
  /** The resolved policy a decision was made under (by version; undefined when the version is gone). */
  readonly policyOf: (version: number) => Promise<PolicyDocument | undefined>;
}

type Why = 'settings' | 'turned_on' | 'overrides' | 'event';

const WHY_TEXT = {
  settings: { ja: '設定の変更は再評価されていません', en: 'settings changes not re-evaluated' },
  turned_on: {
    ja: '有効にした検出器・シグナルは実行されていません',
    en: 'detectors and signals turned on were not run',
  },
  overrides: {
    ja: '許可・拒否リストで決まった判定の検出器は実行されていません',
    en: 'detectors skipped by an allow or deny list were not run',
  },
  event: {
    ja: '記録されたイベントを再検証できません',
    en: 'the recorded event no longer validates',
  },
} as const satisfies Record<Why, LocalizedText>;

/**
 * Dry-run a draft policy against the last `limit` decisions of a channel and
 * list the verdicts that would change, each with its action and score before
 * and after and how it was tried ({@link DryRunMode}). Re-scoring uses the
 * engine's own scoring, and re-evaluation the engine itself, so a dry-run
 * cannot disagree with screening.
 */
export async function dryRunPolicy(input: DryRunInput): Promise<DryRunReport> {
  const { engine, channel, draft } = input;
  const records = await recentDecisions(input);
  const draftRef: PolicyRef = { version: -1, document: draft };
  const compiledDraft = engine.compile(channel.name, draftRef);
  // A channel whose detectors read enrichments (history, lookups made at screening), or whose log keeps a redacted event, cannot be re-run faithfully.
  const replayable = (channel.enrichments?.length ?? 0) === 0 && channel.redact === undefined;
  const baseRefs = new Map<number, PolicyRef>();
  const needs = new Map<number, string[]>();
  const reevaluate = new Set<string>();
  const changes: DryRunChange[] = [];
  const transitions: Record<string, number> = {};
  const before: Partial<Record<Action, number>> = {};
  const after: Partial<Record<Action, number>> = {};
  const modes: Record<DryRunMode, number> = { rescored: 0, reevaluated: 0, rescored_only: 0 };
  const rescoredOnly: string[] = [];
  const whyOnly = new Set<Why>();
  let incomplete = 0;
  let drifted = 0;

  for (const { verdict, event } of records) {
    const version = verdict.policy.version;
    if (!baseRefs.has(version)) {
      const base = (await input.policyOf(version)) ?? draft;
      baseRefs.set(version, { version, document: base });
      needs.set(version, rerunNeeds(base, draft));
    }
    const why = new Set<Why>();
    for (const path of needs.get(version) ?? []) {
      reevaluate.add(path);
      why.add(path.startsWith('settings') ? 'settings' : 'turned_on');
    }
    const byList = verdict.forced?.kind === 'allow_override' || verdict.forced?.kind === 'deny_override';
    if (byList && !matchOverride(compiledDraft, verdict.indicators)) {
      why.add('overrides');
      reevaluate.add('overrides');
    }
    let mode: DryRunMode = 'rescored';
    let to: { action: Action; score: number } | undefined;
    let replayed: { action: Action; score: number } | undefined;
    if (why.size > 0 && replayable) {
      const parsed = channel.schema.safeParse(event);
      if (parsed.success) {
        const again = (ref: PolicyRef) => evaluateAgain(input, verdict, parsed.data, ref);
        const [draftRun, baseRun] = await Promise.all([again(draftRef), again(baseRefs.get(version)!)]);
        to = draftRun;
        mode = 'reevaluated';
        if (baseRun.action !== verdict.action) {
          replayed = baseRun;
          drifted++;
        }
      } else {
        why.add('event');
      }
    }
    if (!to) {
      if (why.size > 0) {
        mode = 'rescored_only';
        rescoredOnly.push(verdict.id);
        for (const w of why) whyOnly.add(w);
        if (why.has('overrides')) incomplete++;
      }
      const hits = verdict.hits.filter((h) => !compiledDraft.disabledDetectors.has(h.detector));
      const rescored = engine.rescore(channel.name, draftRef, hits, verdict.indicators);
      to = { action: rescored.action, score: rescored.score };
    }
    modes[mode]++;
    before[verdict.action] = (before[verdict.action] ?? 0) + 1;
    after[to.action] = (after[to.action] ?? 0) + 1;
    if (to.action !== verdict.action) {
      const key = `${verdict.action}->${to.action}`;
      transitions[key] = (transitions[key] ?? 0) + 1;
      changes.push({
        decisionId: verdict.id,
        createdAt: verdict.createdAt,
        mode,
        from: { action: verdict.action, score: verdict.score },
        to,
        ...(replayed ? { replayed } : {}),
        ...(mode === 'rescored_only' ? { note: onlyNote(why) } : {}),
      });
    }
  }
  const note = rescoredOnly.length > 0 ? onlyNote(whyOnly) : undefined;
  return {
    channel: channel.name,
    checked: records.length,
    changed: changes.length,
    transitions,
    actions: { before, after },
    changes,
    mode: overallMode(modes),
    modes,
    reevaluate: [...reevaluate],
    rescoredOnly: { count: rescoredOnly.length, ...(note ? { note } : {}), decisionIds: rescoredOnly },
    incomplete,
    drifted,
    summary: summarise(records.length, changes.length, modes, note),
  };
}

/** The last `limit` decisions of the channel, newest first (the log hands out pages of at most 1000). */
async function recentDecisions(input: DryRunInput): Promise<DecisionRecord[]> {
  const records: DecisionRecord[] = [];
  while (records.length < input.limit) {
    const before = records.at(-1)?.seq;
    const page = await input.decisions.list(input.orgId, {
      channel: input.channel.name,
      limit: Math.min(1000, input.limit - records.length),
      ...(before !== undefined ? { beforeSeq: before } : {}),
    });
    records.push(...page);
    if (page.length === 0) break;
  }
  return records;
}

/**
 * What in the draft re-scoring cannot try, against the policy a decision was
 * made under: changed settings (detectors read them), and detectors or
 * signals the draft turns on (they did not run, or their hits were dropped).
 * Turning one off is re-scored: its recorded hits are left out.
 */
export function rerunNeeds(base: PolicyDocument, draft: PolicyDocument): string[] {
  const paths = jsonDifferences(base.settings, draft.settings, 'settings', 10);
  for (const [name, d] of Object.entries(base.detectors))
    if (d.enabled === false && draft.detectors[name]?.enabled !== false)
      paths.push(`detectors.${name}.enabled`);
  for (const [name, s] of Object.entries(base.signals))
    if (s.enabled === false && draft.signals[name]?.enabled !== false) paths.push(`signals.${name}.enabled`);
  return paths;
}

async function evaluateAgain(
  input: DryRunInput,
  verdict: Verdict,
  payload: unknown,
  policy: PolicyRef,
): Promise<{ action: Action; score: number }> {
  const again = await input.engine.evaluate({
    event: {
      id: verdict.eventId,
      orgId: verdict.orgId,
      channel: verdict.channel,
      receivedAt: verdict.createdAt,
      payload,
    },
    policy,
    tools: input.tools,
    intel: input.intel,
    now: new Date(verdict.createdAt),
  });
  return { action: again.action, score: again.score };
}

function onlyNote(why: ReadonlySet<Why>): LocalizedText {
  const order: Why[] = ['settings', 'turned_on', 'overrides', 'event'];
  const parts = order.filter((w) => why.has(w)).map((w) => WHY_TEXT[w]);
  return {
    ja: `再採点のみ：${parts.map((p) => p.ja).join('。')}`,
    en: `re-scored only: ${parts.map((p) => p.en).join('; ')}`,
  };
}

function overallMode(modes: Readonly<Record<DryRunMode, number>>): DryRunReport['mode'] {
  const used = DRY_RUN_MODES.filter((m) => modes[m] > 0);
  if (used.length > 1) return 'mixed';
  if (used[0] === 'reevaluated') return 'reevaluate';
  if (used[0] === 'rescored_only') return 'rescore_only';
  return 'rescore';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function summarise(
  checked: number,
  changed: number,
  modes: Readonly<Record<DryRunMode, number>>,
  note: LocalizedText | undefined,
): LocalizedText {
  const only = modes.rescored_only;
  return {
    ja:
      `${checked}件の判定を確認し、${changed}件が変わります` +
      `（再採点 ${modes.rescored}件・検出器の再実行 ${modes.reevaluated}件・再採点のみ ${only}件）` +
      (note ? `。${note.ja}` : ''),
    en:
      `${plural(checked, 'decision', 'decisions')} checked, ${plural(changed, 'verdict', 'verdicts')} would change ` +
      `(${modes.rescored} re-scored, ${modes.reevaluated} re-evaluated, ${only} re-scored only)` +
      (note ? `; ${note.en}` : ''),
  };
}
