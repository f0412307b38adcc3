import type { Verdict } from '../../../core/index.ts';

/**
 * The RFC 8601 `Authentication-Results` header value for a screened mail
 * (without the `Authentication-Results:` name), built from the verdict's
 * authentication hits. Filled in by issue 11's authentication work.
 */
export function authenticationResultsHeader(_verdict: Verdict, authServId: string): string {
  return `${authServId}; none`;
}
