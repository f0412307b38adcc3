import { describe, expect, it } from 'vitest';
import { type CaseOutcome, OutcomeBus } from './outcome-bus.ts';

const outcome = (channel: string, caseId = 'case_1'): CaseOutcome => ({
  caseId,
  orgId: 'org_a',
  decisionId: 'dec_1',
  channel,
  action: 'hold',
  resolution: 'approved',
  effect: 'release',
  reason: 'customer confirmed the payee',
  resolvedBy: 'key_reviewer',
  at: '2026-03-02T10:00:00.000Z',
});

describe('OutcomeBus', () => {
  it('delivers to subscribers of the channel and of *, not to other channels', async () => {
    const bus = new OutcomeBus();
    const seen: string[] = [];
    bus.subscribe('transfer', (o) => void seen.push(`transfer:${o.caseId}`));
    bus.subscribe('*', (o) => void seen.push(`*:${o.caseId}`));
    bus.subscribe('mail', (o) => void seen.push(`mail:${o.caseId}`));
    bus.publish(outcome('transfer'));
    await bus.drain();
    expect(seen.sort()).toEqual(['*:case_1', 'transfer:case_1']);
  });

  it('delivers asynchronously: publish returns before any handler runs', async () => {
    const bus = new OutcomeBus();
    let ran = false;
    bus.subscribe('*', () => {
      ran = true;
    });
    bus.publish(outcome('transfer'));
    expect(ran).toBe(false);
    expect(bus.pending).toBe(1);
    await bus.drain();
    expect(ran).toBe(true);
    expect(bus.pending).toBe(0);
  });

  it('a throwing or rejecting handler is reported and the others still run', async () => {
    const errors: [string, string][] = [];
    const bus = new OutcomeBus({ onError: (err, o) => errors.push([(err as Error).message, o.caseId]) });
    const seen: string[] = [];
    bus.subscribe('*', () => {
      throw new Error('sync boom');
    });
    bus.subscribe('*', async () => {
      throw new Error('async boom');
    });
    bus.subscribe('*', (o) => void seen.push(o.caseId));
    expect(() => bus.publish(outcome('transfer', 'case_9'))).not.toThrow();
    await bus.drain();
    expect(seen).toEqual(['case_9']);
    expect(errors.sort()).toEqual([
      ['async boom', 'case_9'],
      ['sync boom', 'case_9'],
    ]);
  });

  it('a failing onError does not escape either', async () => {
    const bus = new OutcomeBus({
      onError: () => {
        throw new Error('logger down');
      },
    });
    bus.subscribe('*', () => {
      throw new Error('boom');
    });
    bus.publish(outcome('transfer'));
    await expect(bus.drain()).resolves.toBeUndefined();
  });

  it('keeps publish order per subscriber even when a handler is slow', async () => {
    const bus = new OutcomeBus();
    const seen: string[] = [];
    bus.subscribe('*', async (o) => {
      if (o.caseId === 'case_1') await new Promise((r) => setTimeout(r, 20));
      seen.push(o.caseId);
    });
    bus.publish(outcome('transfer', 'case_1'));
    bus.publish(outcome('transfer', 'case_2'));
    await bus.drain();
    expect(seen).toEqual(['case_1', 'case_2']);
  });

  it('drain waits for outcomes published by handlers meanwhile', async () => {
    const bus = new OutcomeBus();
    const seen: string[] = [];
    bus.subscribe('transfer', (o) => bus.publish(outcome('mail', `${o.caseId}-followup`)));
    bus.subscribe('mail', async (o) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(o.caseId);
    });
    bus.publish(outcome('transfer'));
    await bus.drain();
    expect(seen).toEqual(['case_1-followup']);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new OutcomeBus();
    const seen: string[] = [];
    const stop = bus.subscribe('*', (o) => void seen.push(o.caseId));
    stop();
    bus.publish(outcome('transfer'));
    await bus.drain();
    expect(seen).toEqual([]);
  });
  it('tells the publisher once every matching handler has run, and whether all of them succeeded', async () => {
    const bus = new OutcomeBus({ onError: () => {} });
    const settled: [string, boolean][] = [];
    bus.subscribe('transfer', async (o) => {
      if (o.caseId === 'case_bad') throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
    });
    bus.subscribe('*', () => {});
    bus.publish(outcome('transfer', 'case_ok'), (delivered) => void settled.push(['case_ok', delivered]));
    bus.publish(outcome('transfer', 'case_bad'), (delivered) => void settled.push(['case_bad', delivered]));
    // No subscriber of the channel but `*`: delivered.
    bus.publish(outcome('mail', 'case_mail'), (delivered) => void settled.push(['case_mail', delivered]));
    await bus.drain();
    expect(settled.sort()).toEqual([
      ['case_bad', false],
      ['case_mail', true],
      ['case_ok', true],
    ]);
  });

  it('drain waits for the settled callback, and a failing one is reported', async () => {
    const errors: string[] = [];
    const bus = new OutcomeBus({ onError: (err) => errors.push((err as Error).message) });
    let recorded = false;
    bus.publish(outcome('transfer'), async () => {
      await new Promise((r) => setTimeout(r, 10));
      recorded = true;
    });
    bus.publish(outcome('transfer', 'case_2'), () => {
      throw new Error('database down');
    });
    await bus.drain();
    expect(recorded).toBe(true);
    expect(errors).toEqual(['database down']);
  });
});
