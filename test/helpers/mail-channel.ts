import {
  createMailChannel,
  type MailChannel,
  type MailChannelOptions,
} from '../../src/channels/mail/index.ts';
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

/** The mail channel built for suites that read none of its tables, its engine and default policy. */
export interface MailKit {
  readonly hasher: KeyedHasher;
  readonly tools: IntelExtractTools;
  readonly mail: MailChannel;
  readonly engine: Engine;
  readonly policy: PolicyRef;
  /** Screen one payload (parsed by the channel's schema) as `evt_1` of `org_a`, received 2026-01-15. */
  screen(
    payload: unknown,
    options?: { intel?: IntelLookup; policy?: PolicyRef; enrich?: boolean },
  ): Promise<Verdict>;
}

/** A mail payload from a raw message and the envelope fields given (one recipient by default). */
export function mailPayload(
  raw: string,
  envelope: { clientIp?: string; helo?: string; mailFrom?: string; rcptTo?: string[] } = {},
): unknown {
  return { raw, envelope: { rcptTo: ['user@example.jp'], ...envelope } };
}

/**
 * The mail channel on a database that answers no rows (`unconnectedDb`),
 * with an engine, the default policy and a `screen` helper: the set-up every
 * pure detector suite of the channel shares.
 *
 * DNS is off unless `options.dns` gives a resolver (one on a loopback
 * server of `test/helpers/dns-server.ts`): no test asks the internet.
 *
 * @example const { screen } = mailKit(); const verdict = await screen(mailPayload(raw));
 */
export function mailKit(options: MailChannelOptions = {}, key = 'mail-test-key-0123456789abcdef'): MailKit {
  const hasher = createKeyedHasher(key);
  const tools = createExtractTools(hasher);
  const mail = createMailChannel(
    {
      db: unconnectedDb(),
      hasher,
      decisions: { loggedEvent: async () => undefined },
      intel: unusedIntel,
    },
    { dns: 'off', authServId: 'mx.test.example', ...options },
  );
  const engine = createEngine({ channels: [mail] });
  const policy: PolicyRef = { version: 0, document: policyDocumentSchema.parse(mail.defaultPolicy) };
  const none: IntelLookup = { lookup: async () => [] };
  return {
    hasher,
    tools,
    mail,
    engine,
    policy,
    screen: (payload, options = {}) =>
      engine.evaluate({
        event: {
          id: 'evt_1',
          orgId: 'org_a',
          channel: 'mail',
          receivedAt: '2026-01-15T00:00:00Z',
          payload: mail.schema.parse(payload),
        },
        policy: options.policy ?? policy,
        tools,
        intel: options.intel ?? none,
        ...(options.enrich === false ? { enrich: false } : {}),
      }),
  };
}
