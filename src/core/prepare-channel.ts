import type { AnyChannel } from './channel.ts';
import { DETECTOR_STAGES, type Detector, type DetectorStage } from './detector.ts';
import { SignalCatalogue, type SignalDeclaration, signalDeclarationProblem } from './signal.ts';
import { POLICY_SIGNALS } from './signals.ts';

/** A detector that passed the build checks. */
export interface PreparedDetector {
  readonly detector: Detector;
  readonly name: string;
  readonly stage: DetectorStage;
  readonly allowed: ReadonlySet<string>;
  readonly budgetMs: number | undefined;
}

/** A channel as the engine runs it: its catalogue and its detectors by stage. */
export interface PreparedChannel {
  readonly channel: AnyChannel;
  readonly catalogue: SignalCatalogue;
  /** `catalogue.get`, bound once: explain takes it for every verdict. */
  readonly describe: (signal: string) => SignalDeclaration | undefined;
  readonly detectors: Readonly<Record<DetectorStage, readonly PreparedDetector[]>>;
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
    const stage = detector.stage ?? 'detect';
    detectors[stage].push({
      detector,
      name,
      stage,
      allowed: new Set(detector.signals),
      budgetMs: detector.budgetMs,
    });
  }
  return {
    channel,
    catalogue,
    describe: (name) => catalogue.get(name),
    detectors,
    settings: channel.defaultSettings ?? {},
  };
}

function detectorProblem(d: Detector): string | undefined {
  if (typeof d !== 'object' || d === null) return 'is not a detector';
  if (typeof d.name !== 'string' || d.name === '') return 'has no name';
  if (typeof d.run !== 'function') return 'has no run function';
  if (!Array.isArray(d.signals) || d.signals.some((s) => typeof s !== 'string'))
    return 'signals is not a list of signal names';
  if (d.stage !== undefined && !(DETECTOR_STAGES as readonly string[]).includes(d.stage))
    return `unknown stage ${String(d.stage)}`;
  if (d.budgetMs !== undefined && !(Number.isFinite(d.budgetMs) && d.budgetMs > 0 && d.budgetMs <= 60_000))
    return `budgetMs ${String(d.budgetMs)} is not within 0 < budget ≤ 60000`;
  return undefined;
}
