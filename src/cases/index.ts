/**
 * cases — the review queue: roles and permissions, the case lifecycle, SLAs,
 * resolutions and their effects, and the in-process outcome queue that tells
 * the owning channel what became of a held thing.
 */
export * from './case.ts';
export * from './case-effect.ts';
export * from './case-expiry.ts';
export * from './case-history.ts';
export * from './case-outcome.ts';
export * from './case-query.ts';
export * from './case-schemas.ts';
export * from './case-service.ts';
export * from './case-status.ts';
export * from './indicator-sink.ts';
export * from './outcome-bus.ts';
export * from './roles.ts';
export * from './sla.ts';
