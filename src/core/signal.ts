import { type Action, isAction } from './action.ts';
import type { LocalizedText } from './text.ts';

/**
 * A signal declaration (the rspamd symbol): a stable name, the group it scores
 * in, its default weight and the texts that explain it. Names are
 * `SCREAMING_SNAKE` with a channel prefix and are never renamed or reused:
 * they are stored in verdicts and in the decision log.
 *
 * `reason` is the text shown to a person when the signal fires; `{…}`
 * placeholders are filled from the hit's `params`. `customer` is the text
 * that may be read or shown to the customer (by a shop's clerk, on a
 * platform's screen), filled the same way: it must never disclose other
 * people's applications, windows, counts or thresholds — those stay in
 * `reason` and the evidence, for the reviewer.
 */
export interface SignalDeclaration {
  readonly name: string;
  readonly group: string;
  /** Default weight; a policy may override it. Negative weights lower the score. */
  readonly weight: number;
  readonly description: LocalizedText;
  readonly reason?: LocalizedText;
  /** What may be told to the customer; shown to an outlet in place of `reason`. */
  readonly customer?: LocalizedText;
  /**
   * A reason even at a zero score: the verdict explains it whenever it fires
   * (an approved exception that lets a re-screen pass says so).
   */
  readonly explainAlways?: boolean;
  /** Default forced action when the signal fires; a policy may override it. */
  readonly forceAction?: Action;
}

const SIGNAL_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/** True for a well-formed signal name (`CHANNEL_THING`, upper snake case). */
export function isSignalName(name: string): boolean {
  return SIGNAL_NAME.test(name);
}

/** The largest weight, declared or in a policy: sums of many hits stay finite. */
export const MAX_WEIGHT = 1e6;

const hasText = (t: LocalizedText | undefined) =>
  typeof t === 'object' &&
  t !== null &&
  typeof t.ja === 'string' &&
  t.ja !== '' &&
  typeof t.en === 'string' &&
  t.en !== '';

/** What is wrong with one declaration, or undefined when it is well formed. */
export function signalDeclarationProblem(s: SignalDeclaration): string | undefined {
  if (typeof s?.name !== 'string' || !isSignalName(s.name))
    return `signal name ${String(s?.name)} is not SCREAMING_SNAKE with a prefix`;
  if (typeof s.group !== 'string' || s.group === '') return `signal ${s.name} needs a group`;
  if (typeof s.weight !== 'number' || !Number.isFinite(s.weight) || Math.abs(s.weight) > MAX_WEIGHT)
    return `signal ${s.name} needs a finite weight within ±${MAX_WEIGHT}`;
  if (!hasText(s.description)) return `signal ${s.name} needs ja and en descriptions`;
  if (s.reason !== undefined && !hasText(s.reason)) return `signal ${s.name} has a reason without ja and en`;
  if (s.customer !== undefined && !hasText(s.customer))
    return `signal ${s.name} has a customer text without ja and en`;
  if (s.explainAlways !== undefined && typeof s.explainAlways !== 'boolean')
    return `signal ${s.name} has an explainAlways that is not true or false`;
  if (s.forceAction !== undefined && !isAction(s.forceAction))
    return `signal ${s.name} forces an unknown action ${String(s.forceAction)}`;
  return undefined;
}

/**
 * Declare a channel's signals. Checks each declaration (name, group, finite
 * weight, ja and en texts, forced action) and uniqueness once, at declaration,
 * and freezes the result. Throws on a mistake: it runs when the channel's
 * module is imported, so a bad declaration fails its first test.
 *
 * @example
 * export const SIGNALS = defineSignals([
 *   { name: 'MSG_URL_SHORTENER', group: 'url', weight: 1, description: { ja: '短縮URL', en: 'Shortened URL' } },
 * ]);
 */
export function defineSignals<const T extends readonly SignalDeclaration[]>(signals: T): T {
  const seen = new Set<string>();
  for (const s of signals) {
    const problem = signalDeclarationProblem(s);
    if (problem) throw new Error(problem);
    if (seen.has(s.name)) throw new Error(`signal ${s.name} declared twice`);
    seen.add(s.name);
  }
  return Object.freeze(signals.map((s) => Object.freeze({ ...s }))) as unknown as T;
}

/** All declared signals by name, across channels. Built once in the registry. */
export class SignalCatalogue {
  readonly #byName = new Map<string, SignalDeclaration>();

  constructor(signals: Iterable<SignalDeclaration> = []) {
    for (const s of signals) this.add(s);
  }

  add(signal: SignalDeclaration): void {
    const existing = this.#byName.get(signal.name);
    if (existing && existing !== signal) throw new Error(`signal ${signal.name} declared twice`);
    this.#byName.set(signal.name, signal);
  }

  get(name: string): SignalDeclaration | undefined {
    return this.#byName.get(name);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  all(): SignalDeclaration[] {
    return [...this.#byName.values()];
  }
}
