import { describe, expect, it } from 'vitest';
import { lineCap } from './line-cap.ts';
import { application, CORPORATE_HOLDER, context, recent, run, signals } from './test-fixtures.ts';

const voice = (count: number, more: Record<string, unknown> = {}) => ({ simType: 'voice', count, ...more });
const exception = (voiceLines: number) => ({
  caseId: 'case_1',
  approvedBy: 'hq-reviewer',
  approvedAt: '2026-05-10T04:00:00.000Z',
  held: { voice: 0, data_sms: 0, data: 0 },
  lines: { voice: voiceLines, data_sms: 0, data: 0 },
});

describe('contract.line_cap (P2)', () => {
  it('fires when lines held plus requested pass the voice cap of 5, with the purpose and the pledge', async () => {
    const app = application({
      lines: [voice(2, { purpose: '家族用' })],
      pledgeSigned: true,
    });
    const hits = await run(lineCap, app, {
      services: context({
        existingLines: { voice: 3, data_sms: 1, data: 0 },
        holderApplications: [recent()],
      }),
    });
    expect(signals(hits)).toEqual(['CONTRACT_LINE_CAP_EXCEEDED']);
    expect(hits[0]!.params).toMatchObject({
      cap: 5,
      existing: 4,
      requested: 2,
      total: 6,
      purposeJa: '家族用',
      pledgeJa: 'あり',
      existingEn: '4 lines',
      requestedEn: '2 lines',
      capGroupJa: '音声・SMS付き',
      holderTypeJa: '個人',
    });
    expect(hits[0]!.evidence).toContain('existing_by_type=voice:3,data_sms:1,data:0');
    expect(hits[0]!.evidence.some((e) => e.startsWith('application=app-0'))).toBe(true);
  });

  it('does not fire at exactly the cap (near miss)', async () => {
    const hits = await run(lineCap, application({ lines: [voice(1)] }), {
      services: context({ existingLines: { voice: 4, data_sms: 0, data: 0 } }),
    });
    expect(hits).toEqual([]);
  });

  it('counts SMS-capable data SIMs like voice, unless the carrier counts them as data', async () => {
    const app = application({ lines: [{ simType: 'data_sms', count: 1 }] });
    const services = context({ existingLines: { voice: 5, data_sms: 0, data: 0 } });
    expect(signals(await run(lineCap, app, { services }))).toEqual(['CONTRACT_LINE_CAP_EXCEEDED']);
    expect(await run(lineCap, app, { services, settings: { dataSmsCountsAs: 'data' } })).toEqual([]);
  });

  it('caps data-only lines separately at 10 and lets voice lines held over the cap not block a data line', async () => {
    const app = application({ lines: [{ simType: 'data', count: 3 }] });
    const atCap = context({ existingLines: { voice: 7, data_sms: 0, data: 7 } });
    expect(await run(lineCap, app, { services: atCap })).toEqual([]);
    const over = context({ existingLines: { voice: 0, data_sms: 0, data: 8 } });
    const hits = await run(lineCap, app, { services: over });
    expect(hits[0]!.params).toMatchObject({ cap: 10, total: 11, capGroupJa: 'データ専用' });
  });

  it('puts corporations outside the person caps, with their own voice threshold and no data cap', async () => {
    const iot = application({
      holder: CORPORATE_HOLDER,
      lines: [{ simType: 'data', count: 200, product: 'iot_module' }],
    });
    expect(await run(lineCap, iot, { services: context({ holderType: 'corporation' }) })).toEqual([]);
    const phones = application({ holder: CORPORATE_HOLDER, lines: [voice(20)] });
    expect(await run(lineCap, phones)).toEqual([]);
    const many = await run(lineCap, phones, {
      services: context({ existingLines: { voice: 90, data_sms: 0, data: 0 } }),
    });
    expect(many[0]!.params).toMatchObject({ cap: 100, total: 110, holderTypeJa: '法人' });
  });

  it('reports an approved exception instead, for the approved lines only', async () => {
    const six = application({ lines: [voice(6)], pledgeSigned: true });
    const approved = await run(lineCap, six, { services: context({ exception: exception(6) }) });
    expect(signals(approved)).toEqual(['CONTRACT_EXCEPTION_APPROVED']);
    expect(approved[0]!.evidence).toContain('exception_case=case_1');
    expect(approved[0]!.evidence).toContain('covers=CONTRACT_LINE_CAP_EXCEEDED');

    const seven = application({ lines: [voice(7)] });
    const beyond = await run(lineCap, seven, { services: context({ exception: exception(6) }) });
    expect(signals(beyond)).toEqual(['CONTRACT_LINE_CAP_EXCEEDED']);
    expect(beyond[0]!.evidence.some((e) => e.includes('is beyond it'))).toBe(true);
  });

  it('is used up once the approved lines are active: the same application again goes past what HQ approved', async () => {
    const six = application({ lines: [voice(6)], pledgeSigned: true });
    const activated = context({ exception: exception(6), existingLines: { voice: 6, data_sms: 0, data: 0 } });
    expect(signals(await run(lineCap, six, { services: activated }))).toEqual(['CONTRACT_LINE_CAP_EXCEEDED']);
    // Half of them active: the other half is still covered (near miss).
    const half = context({ exception: exception(6), existingLines: { voice: 3, data_sms: 0, data: 0 } });
    const three = application({ lines: [voice(3)], pledgeSigned: true });
    expect(signals(await run(lineCap, three, { services: half }))).toEqual(['CONTRACT_EXCEPTION_APPROVED']);
  });

  it('uses carrier caps, turns a cap off with null, and falls back to the default on a bad value', async () => {
    const app = application({ lines: [voice(6)] });
    expect(await run(lineCap, app, { settings: { lineCaps: { person: { voice: 8 } } } })).toEqual([]);
    expect(await run(lineCap, app, { settings: { lineCaps: { person: { voice: null } } } })).toEqual([]);
    const bad = await run(lineCap, app, { settings: { lineCaps: { person: { voice: 'six' } } } });
    expect(bad[0]!.params).toMatchObject({ cap: 5 });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=lineCaps.person.voice'))).toBe(true);
  });

  it('judges the application alone when no context was loaded, and says so', async () => {
    const hits = await run(lineCap, application({ lines: [voice(6)] }), { services: undefined });
    expect(hits[0]!.evidence).toContain('context=missing (no history loaded)');
  });
});
