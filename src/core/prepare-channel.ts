import type { AnyChannel } from './channel.ts';
import { DETECTOR_STAGES, type Detector, type DetectorStage } from './detector.ts';
import type { Enrichment } from './enrichment.ts';
import { SignalCatalogue, type SignalDeclaration, signalDeclarationProblem } from './signal.ts';
import { POLICY_SIGNALS } from './signals.ts';

/** A detector that passed the build checks. */
export interface PreparedDetector {
  readonly detector: Detector;
  readonly name: string;
  readonly stage: DetectorStage;
  readonly allowed: ReadonlySet<string>;
  readonly needs: readonly string[];
  readonly budgetMs: number | undefined;
}

/** A channel as the engine runs it: its catalogue and its detectors by stage. */
export interface PreparedChannel {
  readonly channel: AnyChannel;
  readonly catalogue: SignalCatalogue;
  /** `catalogue.get`, bound once: explain takes it for every verdict. */
  readonly describe: (signal: string) => SignalDeclaration | undefined;
  readonly detectors: Readonly<Record<DetectorStage, readonly PreparedDetector[]>>;
  /** The channel's enrichments that passed the checks, by name. */
  readonly enrichments: ReadonlyMap<string, Enrichment>;
  readonly settings: Readonly<Record<string, unknown>>;
}

interface Problem {
  readonly channel: string;
  readonly detector: string;
  readonly message: string;
}

const ENGINE_SIGNALS: ReadonlySet<string> = new Set(POLICY_SIGNALS.map((s) => s.name));

/**
 * Check a channel's signals and detectors once, when the engine is built. A
 * bad signal declaration is left out of the catalogue; a bad detector — or
 * one firing a signal that is not declared, or one of the engine's own —
 * is turned off. Each is reported in `problems`; nothing throws (rspamd: a
 * module with bad configuration turns itself off and says why).
 */
export function prepareChannel(channel: AnyChannel, problems: Problem[]): PreparedChannel {
  const catalogue = new SignalCatalogue(POLICY_SIGNALS);
  for (const signal of channel.signals) {
    const problem = signalDeclarationProblem(signal);
    const existing = problem ? undefined : catalogue.get(signal.name);
    if (problem || (existing && existing !== signal)) {
      const message = problem ?? `signal ${signal.name} declared twice (or is the engine's own); left out`;
      problems.push({ channel: channel.name, detector: '*', message });
      continue;
    }
    catalogue.add(signal);
  }
  const enrichments = prepareEnrichments(channel, problems);
  const detectors: Record<DetectorStage, PreparedDetector[]> = { pre: [], detect: [], post: [] };
  const names = new Set<string>();
  for (const detector of channel.detectors) {
    const name = typeof detector?.name === 'string' && detector.name !== '' ? detector.name : '?';
    const off = (why: string) =>
      problems.push({ channel: channel.name, detector: name, message: `${why}; turned off` });
    const problem = detectorProblem(detector);
    if (problem) {
      off(problem);
      continue;
    }
    if (names.has(name)) {
      off('detector name used twice');
      continue;
    }
    names.add(name);
    const undeclared = detector.signals.filter((s) => !catalogue.has(s));
    if (undeclared.length > 0) {
      off(`fires undeclared signals ${undeclared.join(', ')}`);
      continue;
    }
    const reserved = detector.signals.filter((s) => ENGINE_SIGNALS.has(s));
    if (reserved.length > 0) {
      off(`fires the engine's own signals ${reserved.join(', ')}`);
      continue;
    }
    const needs = detector.needs ?? [];
    const unknown = needs.filter((n) => !enrichments.has(n));
    if (unknown.length > 0) {
      off(`needs enrichments that are not registered (or were turned off): ${unknown.join(', ')}`);
      continue;
    }
    const stage = detector.stage ?? 'detect';
    detectors[stage].push({
      detector,
      name,
      stage,
      allowed: new Set(detector.signals),
      needs: [...new Set(needs)],
      budgetMs: detector.budgetMs,
    });
  }
  return {
    channel,
    catalogue,
    describe: (name) => catalogue.get(name),
    detectors,
    enrichments,
    settings: channel.defaultSettings ?? {},
  };
}

/**
 * The channel's enrichments that are well declared, by name. One badly
 * declared, named twice, or needing an enrichment that is missing or that
 * needs it back (a circle) is turned off and reported; the detectors that
 * need it are then turned off too.
 */
function prepareEnrichments(channel: AnyChannel, problems: Problem[]): Map<string, Enrichment> {
  const declared = new Map<string, Enrichment>();
  const report = (name: string, why: string) =>
    problems.push({ channel: channel.name, detector: `enrichment:${name}`, message: `${why}; turned off` });
  for (const e of channel.enrichments ?? []) {
    const name = typeof e?.name === 'string' && e.name !== '' ? e.name : '?';
    const problem = enrichmentProblem(e);
    if (problem) report(name, problem);
    else if (declared.has(name)) report(name, 'enrichment name used twice');
    else declared.set(name, e);
  }
  // Keep only those whose needs resolve, without circles: a depth-first walk over `needs`.
  const state = new Map<string, 'visiting' | 'ok' | 'off'>();
  const visit = (name: string): boolean => {
    const seen = state.get(name);
    if (seen === 'ok') return true;
    if (seen === 'off' || seen === 'visiting') return false;
    const e = declared.get(name);
    if (!e) return false;
    state.set(name, 'visiting');
    for (const need of e.needs ?? []) {
      if (!visit(need)) {
        state.set(name, 'off');
        report(
          name,
          declared.has(need)
            ? `needs ${need}, which is in a circle or turned off`
            : `needs ${need}, which is not registered`,
        );
        return false;
      }
    }
    state.set(name, 'ok');
    return true;
  };
  const ready = new Map<string, Enrichment>();
  for (const [name, e] of declared) if (visit(name)) ready.set(name, e);
  return ready;
}

function enrichmentProblem(e: Enrichment): string | undefined {
  if (typeof e !== 'object' || e === null) return 'is not an enrichment';
  if (typeof e.name !== 'string' || e.name === '') return 'has no name';
  if (typeof e.run !== 'function') return 'has no run function';
  const output = e.output as unknown;
  if (typeof output !== 'function' && typeof (output as { safeParse?: unknown })?.safeParse !== 'function')
    return 'has no output check (a zod schema or a type guard)';
  if (e.needs !== undefined && (!Array.isArray(e.needs) || e.needs.some((n) => typeof n !== 'string')))
    return 'needs is not a list of enrichment names';
  if (e.budgetMs !== undefined && !(Number.isFinite(e.budgetMs) && e.budgetMs > 0 && e.budgetMs <= 60_000))
    return `budgetMs ${String(e.budgetMs)} is not within 0 < budget ≤ 60000`;
  return undefined;
}

function detectorProblem(d: Detector): string | undefined {
  if (typeof d !== 'object' || d === null) return 'is not a detector';
  if (typeof d.name !== 'string' || d.name === '') return 'has no name';
  if (typeof d.run !== 'function') return 'has no run function';
  if (!Array.isArray(d.signals) || d.signals.some((s) => typeof s !== 'string'))
    return 'signals is not a list of signal names';
  if (d.needs !== undefined && (!Array.isArray(d.needs) || d.needs.some((n) => typeof n !== 'string')))
    return 'needs is not a list of enrichment names';
  if (d.stage !== undefined && !(DETECTOR_STAGES as readonly string[]).includes(d.stage))
    return `unknown stage ${String(d.stage)}`;
  if (d.budgetMs !== undefined && !(Number.isFinite(d.budgetMs) && d.budgetMs > 0 && d.budgetMs <= 60_000))
    return `budgetMs ${String(d.budgetMs)} is not within 0 < budget ≤ 60000`;
  return undefined;
}
