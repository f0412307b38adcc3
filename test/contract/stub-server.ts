import type { ContractContext } from '../../src/channels/contract/contract-context.ts';
import { redactContract } from '../../src/channels/contract/contract-keys.ts';
import { type ContractApplication, contractSchema } from '../../src/channels/contract/contract-schema.ts';
import { ContractStore } from '../../src/channels/contract/contract-store.ts';
import { linesBySimType } from '../../src/channels/contract/contract-store-windows.ts';
import { message } from '../../src/channels/message/index.ts';
import { type ChannelModule, defineSignals } from '../../src/core/index.ts';
import { createKeyedHasher } from '../../src/intel/keyed-hash.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { buildServer } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { Metrics } from '../../src/server/metrics.ts';
import type { TestServer } from '../helpers/server.ts';
import { application, HMAC_KEY } from './fixtures.ts';

/**
 * A contract channel for the data side's own tests: the real contract store
 * behind `load`, `record`, `redact` and `onOutcome`, with one stand-in
 * detector (more than 5 voice lines held and requested → review, unless an
 * approved exception covers the request). The channel's real detectors are
 * tested in their own files; this checks the data flow through Mamoru.
 */
export function stubContractChannel(): ChannelModule<ContractApplication, ContractContext> & {
  bind(store: ContractStore): void;
  readonly store: ContractStore;
} {
  let bound: ContractStore | undefined;
  const store = () => {
    if (!bound) throw new Error('stub contract channel used before bind()');
    return bound;
  };
  return {
    bind(s: ContractStore) {
      bound = s;
    },
    get store() {
      return store();
    },
    name: 'contract',
    title: { ja: '回線契約（テスト）', en: 'Line contracts (test)' },
    schema: contractSchema,
    signals: defineSignals([
      {
        name: 'CONTRACT_TEST_OVER_CAP',
        group: 'line_cap',
        weight: 6,
        forceAction: 'review',
        description: { ja: 'テスト用の上限超過', en: 'test: over the cap' },
      },
    ]),
    detectors: [
      {
        name: 'contract.test_cap',
        signals: ['CONTRACT_TEST_OVER_CAP'],
        run: (event, ctx) => {
          const requested = linesBySimType(event.payload.lines).voice;
          const allowed = ctx.services.exception?.lines.voice ?? 0;
          const total = ctx.services.existingLines.voice + requested;
          return total > 5 && requested > allowed
            ? [{ signal: 'CONTRACT_TEST_OVER_CAP', evidence: [`total=${total}`] }]
            : [];
        },
      },
    ],
    extract: () => [],
    defaultPolicy: {
      id: 'contract.test',
      channel: 'contract',
      thresholds: { warn: 3, review: 6, block: 9 },
    },
    load: (event, now) => store().load(event, now),
    record: (verdict, event, ctx) => store().record(verdict, event.payload, ctx.keys),
    redact: (payload) => redactContract(payload, store().keys(payload)),
    onOutcome: (outcome) => store().onOutcome(outcome),
    example: application(),
  };
}

/** A Mamoru API in process (in-memory PGlite) with the message channel and the stub contract channel. */
export async function startContractServer(): Promise<TestServer> {
  const config = loadConfig({ dataDir: 'memory://', demo: 'false', hmacKey: HMAC_KEY }, {});
  const metrics = new Metrics({ defaults: false });
  const contract = stubContractChannel();
  const mamoru = await Mamoru.open(config, { metrics, channels: [message, contract] });
  contract.bind(new ContractStore({ db: mamoru.store.db, hasher: createKeyedHasher(HMAC_KEY) }));
  const boot = await mamoru.bootstrap({ demo: false });
  if (!boot) throw new Error('bootstrap created nothing');
  const app = await buildServer({ mamoru, metrics, logger: false });
  return {
    app,
    mamoru,
    token: boot.token,
    orgId: boot.orgId,
    async close() {
      await app.close();
      await mamoru.close();
    },
  };
}
