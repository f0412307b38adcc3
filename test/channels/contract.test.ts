import { describe, expect, it } from 'vitest';
import { createChannels } from '../../src/channels/registry.ts';
import {
  createEngine,
  INDICATOR_TYPES,
  isSignalName,
  policyDocumentSchema,
  policyIssues,
} from '../../src/core/index.ts';
import { createExtractTools } from '../../src/intel/extract-tools.ts';
import { createKeyedHasher } from '../../src/intel/keyed-hash.ts';
import { unconnectedDb, unusedIntel } from '../helpers/stores.ts';

/**
 * The channel-module contract, run against every registered channel (as Hono
 * runs one suite against every router): signals declared and explained in
 * both languages, detectors deterministic, every hit with evidence, the
 * default policy valid, the example accepted by the schema.
 */
const hasher = createKeyedHasher('contract-suite-key-0123456789abcdef');
const tools = createExtractTools(hasher);
// Channels are built with their dependencies; no store is opened: nothing here reads a channel's tables.
const channels = createChannels({
  db: unconnectedDb(),
  hasher,
  decisions: { loggedEvent: async () => undefined },
  intel: unusedIntel,
});
const engine = createEngine({ channels });

describe.each(channels.map((c) => [c.name, c] as const))('channel %s', (name, channel) => {
  it('builds without problems', () => {
    expect(engine.problems.filter((p) => p.channel === name)).toEqual([]);
  });

  it('declares every signal it fires, with a channel prefix and texts in Japanese and English', () => {
    const declared = new Set(channel.signals.map((s) => s.name));
    for (const d of channel.detectors)
      for (const s of d.signals) expect(declared, `${d.name} fires ${s}`).toContain(s);
    for (const s of channel.signals) {
      expect(isSignalName(s.name)).toBe(true);
      expect(s.description.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(s.description.en).toMatch(/[A-Za-z]/);
      if (s.reason) expect(s.reason.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('has a valid default policy', () => {
    const doc = policyDocumentSchema.parse(channel.defaultPolicy);
    const issues = policyIssues(
      doc,
      name,
      new Set(engine.signals(name).map((s) => s.name)),
      new Set(engine.detectors(name)),
    );
    expect(issues).toEqual([]);
  });

  it('accepts its example, extracts typed indicators, and judges it deterministically with evidence on every hit', async () => {
    const payload = channel.schema.parse(channel.example);
    const policy = { version: 0, document: policyDocumentSchema.parse(channel.defaultPolicy) };
    const event = { id: 'e1', orgId: 'o1', channel: name, receivedAt: '2026-01-01T00:00:00.000Z', payload };
    const now = new Date('2026-01-01T00:00:00.000Z');
    const settings = { ...channel.defaultSettings };
    const state = await channel.begin?.(event, tools, settings);
    const refs = channel.extract(payload, tools, { event, now, settings, state, enriched: () => undefined });
    for (const r of refs) expect(INDICATOR_TYPES).toContain(r.type);
    // Intel that knows every extracted value, so that the intel detectors fire and their hits are checked too.
    const intel = {
      lookup: async (
        orgId: string,
        found: readonly { type: (typeof INDICATOR_TYPES)[number]; value: string }[],
      ) =>
        found.map((r, i) => ({
          id: `ind_${i}`,
          type: r.type,
          value: r.value,
          verdict: 'malicious' as const,
          confidence: 90,
          source: 'contract-suite',
          scope: 'org' as const,
          orgId,
        })),
    };
    const a = await engine.evaluate({ event, policy, tools, now, intel });
    const b = await engine.evaluate({ event, policy, tools, now, intel });
    if (refs.length > 0) expect(a.hits.length).toBeGreaterThan(0);
    expect(a.hits).toEqual(b.hits);
    expect(a.action).toBe(b.action);
    for (const h of a.hits) expect(h.evidence.length).toBeGreaterThan(0);
    // Without a database (unconnected here: every query answers no rows, or fails where a row is required)
    // only detectors that need an enrichment may fail, as `enrichment_failed`, and the engine's fail-safe
    // signal fires exactly when one did; nothing else may fail.
    const needing = new Set(channel.detectors.filter((d) => (d.needs ?? []).length > 0).map((d) => d.name));
    const errors = a.outcomes.filter((o) => o.outcome === 'error');
    expect(errors.filter((o) => o.code !== 'enrichment_failed')).toEqual([]);
    for (const o of errors) expect(needing).toContain(o.detector);
    expect(a.hits.some((h) => h.signal === 'POLICY_ENRICHMENT_FAILED')).toBe(errors.length > 0);
  });
});
