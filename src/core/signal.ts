import type { Action } from './action.ts';
import type { LocalizedText } from './text.ts';

/**
 * A signal declaration (the rspamd symbol): a stable name, the group it scores
 * in, its default weight and the texts that explain it. Names are
 * `SCREAMING_SNAKE` with a channel prefix and are never renamed or reused:
 * they are stored in verdicts and in the decision log.
 *
 * `reason` is the text shown to a person when the signal fires; `{…}`
 * placeholders are filled from the hit's `params`.
 */
export interface SignalDeclaration {
  readonly name: string;
  readonly group: string;
  /** Default weight; a policy may override it. Negative weights lower the score. */
  readonly weight: number;
  readonly description: LocalizedText;
  readonly reason?: LocalizedText;
  /** Default forced action when the signal fires; a policy may override it. */
  readonly forceAction?: Action;
}

const SIGNAL_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/** True for a well-formed signal name (`CHANNEL_THING`, upper snake case). */
export function isSignalName(name: string): boolean {
  return SIGNAL_NAME.test(name);
}

/**
 * Declare a channel's signals. Checks names and uniqueness once, at
 * declaration, and freezes the result.
 *
 * @example
 * export const SIGNALS = defineSignals([
 *   { name: 'MSG_URL_SHORTENER', group: 'url', weight: 1, description: { ja: '短縮URL', en: 'Shortened URL' } },
 * ]);
 */
export function defineSignals<const T extends readonly SignalDeclaration[]>(signals: T): T {
  const seen = new Set<string>();
  for (const s of signals) {
    if (!isSignalName(s.name)) throw new Error(`signal name ${s.name} is not SCREAMING_SNAKE with a prefix`);
    if (seen.has(s.name)) throw new Error(`signal ${s.name} declared twice`);
    if (!s.description.ja || !s.description.en)
      throw new Error(`signal ${s.name} needs ja and en descriptions`);
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
