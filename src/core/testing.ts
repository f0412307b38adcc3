import { z } from 'zod';
import type { AnyChannel, ExtractTools } from './channel.ts';
import type { Detector, Hit } from './detector.ts';
import type { ScreenEvent } from './event.ts';
import type { IndicatorRef } from './indicator.ts';
import { type PolicyDocumentInput, type PolicyRef, policyDocumentSchema } from './policy.ts';
import type { SignalDeclaration } from './signal.ts';

/**
 * Helpers for functional tests in the rspamd style: a tiny channel with a
 * few signals and detectors, one fixture event, only the relevant checks on.
 * Not imported by the engine.
 */

/** The payload of the test channel: free text and indicators written out. */
export interface TestPayload {
  readonly text: string;
  readonly indicators?: readonly IndicatorRef[];
}

/** Extract tools that normalise nothing (core tests never need them). */
export const noTools: ExtractTools = { indicator: () => undefined };

/** A signal declaration with texts made from its name. */
export function signal(
  name: string,
  weight: number,
  more: Partial<Omit<SignalDeclaration, 'name' | 'weight'>> = {},
): SignalDeclaration {
  return {
    name,
    group: 'test',
    weight,
    description: { ja: `${name} の説明`, en: `${name} description` },
    ...more,
  };
}

/** A detector firing `name` (factor 1, evidence = the matched word) when the text contains `word`. */
export function keyword(
  name: string,
  word: string,
  signalName: string,
  more: Partial<Omit<Detector<TestPayload>, 'name' | 'run'>> = {},
): Detector<TestPayload> {
  return {
    name,
    signals: [signalName],
    ...more,
    run: (event) => (event.payload.text.includes(word) ? [{ signal: signalName, evidence: [word] }] : []),
  };
}

/** A detector that returns `hits` as given (valid or not). */
export function fixed(name: string, signals: readonly string[], hits: unknown): Detector<TestPayload> {
  return { name, signals, run: () => hits as readonly Hit[] };
}

/** The test channel: `test`, with the given signals and detectors; indicators come from the payload. */
export function testChannel(parts: {
  readonly name?: string;
  readonly signals: readonly SignalDeclaration[];
  readonly detectors: readonly Detector<TestPayload>[];
  readonly defaultSettings?: Readonly<Record<string, unknown>>;
  readonly defaultPolicy?: PolicyDocumentInput;
  readonly extract?: AnyChannel['extract'];
}): AnyChannel {
  const name = parts.name ?? 'test';
  return {
    name,
    title: { ja: 'テスト', en: 'Test' },
    schema: z.object({ text: z.string() }),
    signals: parts.signals,
    detectors: parts.detectors,
    extract: parts.extract ?? ((payload: TestPayload) => [...(payload.indicators ?? [])]),
    defaultPolicy: parts.defaultPolicy ?? { id: `${name}-default`, channel: name },
    ...(parts.defaultSettings ? { defaultSettings: parts.defaultSettings } : {}),
    example: { text: 'hello' },
  };
}

/** A policy version from a document input (defaults filled by the schema). */
export function policy(doc: Partial<PolicyDocumentInput> = {}, version = 1): PolicyRef {
  return { version, document: policyDocumentSchema.parse({ id: 'test-policy', channel: 'test', ...doc }) };
}

let n = 0;

/** One fixture event for the test channel. */
export function event(payload: TestPayload, channel = 'test'): ScreenEvent<TestPayload> {
  n++;
  return { id: `evt-${n}`, orgId: 'org-a', channel, receivedAt: '2025-12-01T00:00:00.000Z', payload };
}

/** Spin the CPU for `ms` milliseconds: a detector that hogs the thread. */
export function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}
