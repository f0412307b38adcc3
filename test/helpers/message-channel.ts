import { createMessageChannel, type MessageChannel } from '../../src/channels/message/index.ts';
import {
  createEngine,
  type Engine,
  type IntelLookup,
  type PolicyRef,
  policyDocumentSchema,
  type Verdict,
} from '../../src/core/index.ts';
import type { IntelExtractTools } from '../../src/intel/extract-tools.ts';
import { createExtractTools } from '../../src/intel/extract-tools.ts';
import { createKeyedHasher, type KeyedHasher } from '../../src/intel/keyed-hash.ts';
import { unconnectedDb, unusedIntel } from './stores.ts';

/** The message channel built for suites that read none of its tables, its engine and default policy. */
export interface MessageKit {
  readonly hasher: KeyedHasher;
  readonly tools: IntelExtractTools;
  readonly message: MessageChannel;
  readonly engine: Engine;
  readonly policy: PolicyRef;
  /** Screen one payload (parsed by the channel's schema) as `evt_1` of `org_a`, received 2026-01-15. */
  screen(payload: unknown, options?: { intel?: IntelLookup; policy?: PolicyRef }): Promise<Verdict>;
}

/**
 * The message channel on a database that answers no rows (`unconnectedDb`),
 * with an engine, the default policy and a `screen` helper: the set-up every
 * pure detector suite of the channel shares.
 *
 * @example const { screen } = messageKit(); const verdict = await screen({ kind: 'sms', sender: '+819012345678', text });
 */
export function messageKit(key = 'message-test-key-0123456789'): MessageKit {
  const hasher = createKeyedHasher(key);
  const tools = createExtractTools(hasher);
  const message = createMessageChannel({
    db: unconnectedDb(),
    hasher,
    decisions: { loggedEvent: async () => undefined },
    intel: unusedIntel,
  });
  const engine = createEngine({ channels: [message] });
  const policy: PolicyRef = { version: 0, document: policyDocumentSchema.parse(message.defaultPolicy) };
  const none: IntelLookup = { lookup: async () => [] };
  return {
    hasher,
    tools,
    message,
    engine,
    policy,
    screen: (payload, options = {}) =>
      engine.evaluate({
        event: {
          id: 'evt_1',
          orgId: 'org_a',
          channel: 'message',
          receivedAt: '2026-01-15T00:00:00Z',
          payload: message.schema.parse(payload),
        },
        policy: options.policy ?? policy,
        tools,
        intel: options.intel ?? none,
      }),
  };
}
