/**
 * core — event, signal, detector, policy, engine, verdict and explanation.
 * Pure: no I/O. Knows nothing of channels beyond the `ChannelModule` interface.
 */
export * from './action.ts';
export * from './assert-never.ts';
export * from './channel.ts';
export * from './detector.ts';
export * from './engine.ts';
export * from './enrichment.ts';
export * from './errors.ts';
export * from './event.ts';
export * from './id.ts';
export * from './indicator.ts';
export * from './operation.ts';
export * from './origin.ts';
export * from './parse-input.ts';
export * from './policy.ts';
export * from './signal.ts';
export * from './signals.ts';
export * from './text.ts';
export * from './verdict.ts';
export * from './waiver.ts';
