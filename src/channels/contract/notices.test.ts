import { describe, expect, it } from 'vitest';
import type { VerdictHit } from '../../core/index.ts';
import { application } from './detectors/test-fixtures.ts';
import { contractNotices } from './notices.ts';

const hitOf = (signal: string): VerdictHit => ({
  signal,
  group: 'g',
  detector: 'd',
  factor: 1,
  weight: 1,
  score: 1,
  evidence: [],
});
const codes = (...args: Parameters<typeof contractNotices>) => contractNotices(...args).map((n) => n.code);

describe('contract notices (P2, P6)', () => {
  it('carries the resale notice on every allowed verdict, and only those', () => {
    expect(codes({ action: 'allow', hits: [] }, application())).toEqual(['contract.resale_prohibited']);
    expect(codes({ action: 'warn', hits: [] }, application())).toEqual(['contract.resale_prohibited']);
    expect(codes({ action: 'step_up', hits: [] }, application())).toEqual([]);
    expect(codes({ action: 'block', hits: [] }, application())).toEqual([]);
  });

  it('asks for the pledge over the cap or from three SMS-capable lines, when not signed', () => {
    const over = { action: 'review' as const, hits: [hitOf('CONTRACT_LINE_CAP_EXCEEDED')] };
    const purposed = application({ lines: [{ simType: 'voice', count: 6, purpose: '家族' }] });
    expect(codes(over, purposed)).toEqual(['contract.collect_pledge']);
    expect(codes(over, { ...purposed, pledgeSigned: true })).toEqual([]);
    const three = application({ lines: [{ simType: 'data_sms', count: 3 }] });
    expect(codes({ action: 'allow', hits: [] }, three)).toEqual([
      'contract.resale_prohibited',
      'contract.collect_pledge',
    ]);
    // Two SMS-capable lines, or a carrier that asks from five (near misses).
    expect(
      codes({ action: 'allow', hits: [] }, application({ lines: [{ simType: 'voice', count: 2 }] })),
    ).toEqual(['contract.resale_prohibited']);
    expect(
      codes({ action: 'allow', hits: [] }, three, {
        pledge: { requiredFromSmsLines: 5, requiredOverCap: true },
      }),
    ).toEqual(['contract.resale_prohibited']);
  });

  it('asks for the purpose over the cap when none was declared, and never on a refused application', () => {
    const over = { action: 'review' as const, hits: [hitOf('CONTRACT_LINE_CAP_EXCEEDED')] };
    const bare = application({ lines: [{ simType: 'voice', count: 6 }], pledgeSigned: true });
    expect(codes(over, bare)).toEqual(['contract.collect_purpose']);
    expect(codes({ ...over, action: 'block' }, bare)).toEqual([]);
  });
});
