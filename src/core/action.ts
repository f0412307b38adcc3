/**
 * Actions a verdict can carry, from least to most severe. The order is the
 * severity order: when two rules disagree the more severe action wins.
 *
 * - `allow`   — let it through.
 * - `warn`    — let it through with a warning label shown to the user (I1).
 * - `step_up` — ask for more: stronger authentication, another KYC method (P3, P5, M1).
 * - `review`  — a person decides (a case is opened), the thing waits.
 * - `hold`    — held (quarantine, transfer on hold) until a person releases it (E4, M2).
 * - `block`   — refused.
 * - `freeze`  — refused, and the account is frozen (M3).
 */
export const ACTIONS = ['allow', 'warn', 'step_up', 'review', 'hold', 'block', 'freeze'] as const;
export type Action = (typeof ACTIONS)[number];

const SEVERITY = Object.fromEntries(ACTIONS.map((a, i) => [a, i])) as Record<Action, number>;

/** Severity rank of an action (allow = 0 … freeze = 6). */
export function severity(action: Action): number {
  return SEVERITY[action];
}

/** The more severe of two actions. */
export function maxAction(a: Action, b: Action): Action {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.hasOwn(SEVERITY, value);
}

/** Actions that need a person: a verdict with one of these opens a case. */
export const CASE_ACTIONS = ['step_up', 'review', 'hold'] as const satisfies readonly Action[];
export type CaseAction = (typeof CASE_ACTIONS)[number];

export function opensCase(action: Action): action is CaseAction {
  return (CASE_ACTIONS as readonly Action[]).includes(action);
}

/** Japanese and English labels of each action, for reasons and the console. */
export const ACTION_LABELS = {
  allow: { ja: '許可', en: 'allow' },
  warn: { ja: '警告', en: 'warn' },
  step_up: { ja: '追加確認', en: 'step up' },
  review: { ja: '審査', en: 'review' },
  hold: { ja: '保留', en: 'hold' },
  block: { ja: '拒否', en: 'block' },
  freeze: { ja: '凍結', en: 'freeze' },
} as const satisfies Record<Action, { ja: string; en: string }>;
