import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChildLogger } from './lazy-child-logger.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('lazyChildLogger', () => {
  it('logs with the request bindings, as a pino child would', () => {
    const { logger, lines } = capture('info');
    const log = lazyChildLogger(logger, { reqId: 'r-1' }, {});
    log.error({ index: 3 }, 'batch event failed');
    log.info('done');
    expect(lines.map((l) => [l.reqId, l.msg, l.level])).toEqual([
      ['r-1', 'batch event failed', 50],
      ['r-1', 'done', 30],
    ]);
    expect(lines[0]).toMatchObject({ index: 3 });
  });

  it('makes no child while nothing is logged at an enabled level', () => {
    const { logger, lines } = capture('warn');
    const child = vi.spyOn(logger, 'child');
    const log = lazyChildLogger(logger, { reqId: 'r-2' }, {});
    log.debug('not shown');
    log.info('not shown');
    expect(child).not.toHaveBeenCalled();
    expect(log.level).toBe('warn');
    log.warn('shown');
    expect(child).toHaveBeenCalledTimes(1);
    log.error('shown too');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
      ['r-2', 'shown'],
      ['r-2', 'shown too'],
    ]);
  });

  it('gives a grandchild with both bindings', () => {
    const { logger, lines } = capture('info');
    lazyChildLogger(logger, { reqId: 'r-3' }, {}).child({ part: 'x' }).info('hi');
    expect(lines[0]).toMatchObject({ reqId: 'r-3', part: 'x', msg: 'hi' });
  });
});
