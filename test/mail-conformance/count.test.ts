/**
 * The counting of scripts/mail-conformance.ts (issue 11 item 6; E2, E3): passed, known failures
 * (`it.fails` under the `[known failure]` name), unexpected failures and skips per describe.
 */
import { describe, expect, it } from 'vitest';
import { countResults } from '../../scripts/mail-conformance.ts';
import { KNOWN_FAILURE_MARK } from './suite.ts';

describe('countResults', () => {
  it('counts per describe block and leaves out the parsers file', () => {
    const result = (suite: string, title: string, status: string) => ({
      ancestorTitles: [suite],
      title,
      status,
    });
    const counts = countResults({
      testResults: [
        {
          name: '/repo/test/mail-conformance/spf-rfc7208.test.ts',
          assertionResults: [
            result('SPF strict', 'a', 'passed'),
            result('SPF strict', `${KNOWN_FAILURE_MARK} b: why`, 'passed'),
            result('SPF strict', 'c', 'failed'),
            result('SPF lenient', 'a', 'passed'),
            result('SPF lenient', `${KNOWN_FAILURE_MARK} b: why`, 'failed'),
          ],
        },
        {
          name: '/repo/test/mail-conformance/dkim.test.ts',
          assertionResults: [result('DKIM', 'x', 'skipped')],
        },
        {
          name: '/repo/test/mail-conformance/parsers.test.ts',
          assertionResults: [result('parse', 'p', 'passed')],
        },
      ],
    });
    expect(counts).toEqual([
      { suite: 'SPF strict', passed: 1, knownFailures: 1, unexpected: 1, skipped: 0, total: 3 },
      // a known failure that passed makes it.fails fail: an unexpected result, to look at
      { suite: 'SPF lenient', passed: 1, knownFailures: 0, unexpected: 1, skipped: 0, total: 2 },
      { suite: 'DKIM', passed: 0, knownFailures: 0, unexpected: 0, skipped: 1, total: 1 },
    ]);
  });
});
