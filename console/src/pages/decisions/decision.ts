import type { Verdict } from '../../ui/VerdictView.tsx';

/** One row of the decision log (`Decision` in /openapi.json). */
export interface Decision {
  readonly seq: number;
  readonly hash: string;
  readonly prevHash: string;
  readonly verdict: Verdict;
  readonly event: unknown;
}
