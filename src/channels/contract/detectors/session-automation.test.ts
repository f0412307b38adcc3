import { describe, expect, it } from 'vitest';
import { sessionAutomation } from './session-automation.ts';
import { application, run, signals } from './test-fixtures.ts';

const online = (session: Record<string, unknown>) =>
  application({ salesChannel: { type: 'online' }, session });

describe('contract.session_automation (P6, 自作プログラムによる不正契約)', () => {
  it('reviews a form filled faster than a person can, or too many attempts, naming both', async () => {
    const hits = await run(sessionAutomation, online({ formSeconds: 4, attempts: 12 }));
    expect(signals(hits)).toEqual(['CONTRACT_SESSION_AUTOMATED']);
    expect(hits[0]!.evidence).toEqual(['form_seconds=4 < 60', 'attempts=12 > 5']);
    expect(hits[0]!.params).toEqual({
      problemJa: '入力時間 4 秒、試行 12 回',
      problemEn: 'form filled in 4 seconds, 12 attempts',
    });
  });

  it('passes a person’s pace, no session facts, and limits turned off (near misses)', async () => {
    expect(await run(sessionAutomation, online({ formSeconds: 60, attempts: 5 }))).toEqual([]);
    expect(await run(sessionAutomation, application())).toEqual([]);
    expect(
      await run(sessionAutomation, online({ formSeconds: 1, attempts: 99 }), {
        settings: { automation: { minFormSeconds: null, maxAttempts: null } },
      }),
    ).toEqual([]);
  });
});
