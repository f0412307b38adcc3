import type { CaseOutcome } from './case-outcome.ts';

export type { CaseOutcome };

export type OutcomeHandler = (outcome: CaseOutcome) => void | Promise<void>;

export interface OutcomeBusOptions {
  /**
   * Called when a handler throws or rejects; the failure goes no further.
   * Defaults to writing to stderr.
   */
  readonly onError?: (error: unknown, outcome: CaseOutcome) => void;
}

interface Subscription {
  readonly channel: string;
  readonly handler: OutcomeHandler;
  /** The subscriber's last delivery: deliveries to one subscriber run in publish order. */
  tail: Promise<void>;
}

/**
 * The in-process outcome queue of the embedded default (DESIGN.md, "event
 * stream: in-process queue"); at scale a NATS JetStream subject takes its place
 * behind the same `subscribe`/`publish`.
 *
 * `publish` returns at once; each matching handler runs later, one outcome at a
 * time per subscriber and in publish order, so a slow channel delays only
 * itself. A handler that fails is reported to `onError` and never reaches the
 * publisher: the case is already resolved when outcomes are published.
 *
 * @example
 * const bus = new OutcomeBus({ onError: (err, o) => log.error({ err, caseId: o.caseId }) });
 * bus.subscribe('transfer', async (o) => { if (o.effect === 'release') await releaseTransfer(o.decisionId); });
 */
export class OutcomeBus {
  readonly #subscriptions = new Set<Subscription>();
  readonly #pending = new Set<Promise<void>>();
  readonly #onError: (error: unknown, outcome: CaseOutcome) => void;

  constructor(options: OutcomeBusOptions = {}) {
    this.#onError =
      options.onError ??
      ((error, outcome) => console.error(`outcome handler failed for case ${outcome.caseId}:`, error));
  }

  /**
   * Receive the outcomes of one channel's cases, or of every channel with `'*'`.
   * Returns a function that ends the subscription (queued deliveries still run).
   */
  subscribe(channel: string, handler: OutcomeHandler): () => void {
    const subscription: Subscription = { channel, handler, tail: Promise.resolve() };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /**
   * Queue an outcome for every matching subscriber; returns before any handler
   * runs. `settled`, when given, runs once every matching handler has run,
   * with `true` when none failed (and when none matched); `drain` waits for it
   * too.
   */
  publish(outcome: CaseOutcome, settled?: (delivered: boolean) => void | Promise<void>): void {
    const deliveries: Promise<boolean>[] = [];
    for (const sub of this.#subscriptions) {
      if (sub.channel !== '*' && sub.channel !== outcome.channel) continue;
      const delivery = sub.tail
        .then(() => sub.handler(outcome))
        .then(
          () => true,
          (error: unknown) => {
            this.#report(error, outcome);
            return false;
          },
        );
      sub.tail = delivery.then(() => undefined);
      deliveries.push(delivery);
      this.#track(delivery);
    }
    if (settled)
      this.#track(
        Promise.all(deliveries)
          .then((results) => settled(results.every(Boolean)))
          .then(undefined, (error: unknown) => this.#report(error, outcome)),
      );
  }

  #track(work: Promise<unknown>): void {
    const done = work.then(() => undefined);
    this.#pending.add(done);
    void done.then(() => this.#pending.delete(done));
  }

  /** Resolves once every queued delivery, including ones queued meanwhile, has run. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  /** Number of deliveries queued or running. */
  get pending(): number {
    return this.#pending.size;
  }

  #report(error: unknown, outcome: CaseOutcome): void {
    try {
      this.#onError(error, outcome);
    } catch {
      // A failing logger must not turn into an unhandled rejection.
    }
  }
}
