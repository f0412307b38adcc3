/**
 * intel — typed indicators (phone, URL, domain, e-mail, IP, bank account,
 * card, identity, crypto address): normalisers, the keyed hash for
 * sensitive values, the indicator service (CRUD and lookups across
 * organisations), bulk import, the extract tools channels use, and the
 * `INTEL_MATCH_*` detectors.
 */
export * from './csv-parser.ts';
export * from './extract-tools.ts';
export * from './import-indicators.ts';
export * from './indicator-schemas.ts';
export * from './indicator-service.ts';
export * from './indicator-value.ts';
export * from './intel-cache.ts';
export * from './intel-match-detector.ts';
export * from './intel-signals.ts';
export * from './invalid-indicator.ts';
export * from './ip-address.ts';
export * from './keyed-hash.ts';
export * from './normalise-bank-account.ts';
export * from './normalise-card.ts';
export * from './normalise-crypto-address.ts';
export * from './normalise-domain.ts';
export * from './normalise-email.ts';
export * from './normalise-identity.ts';
export * from './normalise-indicator.ts';
export * from './normalise-ip.ts';
export * from './normalise-phone.ts';
export * from './normalise-url.ts';
export * from './text-extractor.ts';
