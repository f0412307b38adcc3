import type { ChannelDeps } from '../../src/channels/channel-deps.ts';
import {
  type AnyChannel,
  createEngine,
  type Engine,
  type IntelLookup,
  type PolicyRef,
  policyDocumentSchema,
  type Verdict,
} from '../../src/core/index.ts';
import { createExtractTools, type IntelExtractTools } from '../../src/intel/extract-tools.ts';
import { createKeyedHasher, type KeyedHasher } from '../../src/intel/keyed-hash.ts';
import { unconnectedDb, unusedIntel } from './stores.ts';

/** Options of one screening through a kit. */
export interface KitScreenOptions {
  readonly intel?: IntelLookup;
  readonly policy?: PolicyRef;
  /** false: no enrichment runs (the detectors that need one are skipped as failed). */
  readonly enrich?: boolean;
}

/** A channel built for suites that read none of its tables, its engine and default policy. */
export interface ChannelKit<C extends AnyChannel> {
  readonly hasher: KeyedHasher;
  readonly tools: IntelExtractTools;
  readonly channel: C;
  readonly engine: Engine;
  readonly policy: PolicyRef;
  /** Screen one payload (parsed by the channel's schema) as `evt_1` of `org_a`, received 2026-01-15. */
  screen(payload: unknown, options?: KitScreenOptions): Promise<Verdict>;
}

/**
 * A channel on a database that answers no rows (`unconnectedDb`), with an
 * engine, the default policy and a `screen` helper: the set-up every pure
 * detector suite of a channel shares (`messageKit`, `mailKit`).
 */
export function channelKit<C extends AnyChannel>(
  create: (deps: ChannelDeps) => C,
  key: string,
): ChannelKit<C> {
  const hasher = createKeyedHasher(key);
  const tools = createExtractTools(hasher);
  const channel = create({
    db: unconnectedDb(),
    hasher,
    decisions: { loggedEvent: async () => undefined },
    intel: unusedIntel,
  });
  const engine = createEngine({ channels: [channel] });
  const policy: PolicyRef = { version: 0, document: policyDocumentSchema.parse(channel.defaultPolicy) };
  const none: IntelLookup = { lookup: async () => [] };
  return {
    hasher,
    tools,
    channel,
    engine,
    policy,
    screen: (payload, options = {}) =>
      engine.evaluate({
        event: {
          id: 'evt_1',
          orgId: 'org_a',
          channel: channel.name,
          receivedAt: '2026-01-15T00:00:00Z',
          payload: channel.schema.parse(payload),
        },
        policy: options.policy ?? policy,
        tools,
        intel: options.intel ?? none,
        ...(options.enrich === false ? { enrich: false } : {}),
      }),
  };
}
