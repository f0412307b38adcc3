import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/index.ts';
import { loadConfig, SETTINGS } from '../src/server/config.ts';
import { STATUS } from '../src/server/problem.ts';

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('docs', () => {
  it('documents every error code with its status', async () => {
    const doc = await read('docs/errors.md');
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      expect(doc, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${STATUS[code]}\\s*\\|`));
    }
  });

  it('documents every setting with its variable, flag and default', async () => {
    const doc = await read('docs/configuration.md');
    for (const s of Object.values(SETTINGS)) {
      const row = doc.split('\n').find((l) => new RegExp(`^\\|\\s*\`${s.env}\``).test(l));
      expect(row, s.env).toBeDefined();
      expect(row).toContain(`\`${s.flag}\``);
      if (s.default) expect(row).toContain(`\`${s.default}\``);
    }
  });
});

describe('configuration', () => {
  it('takes flags over the environment over defaults', () => {
    expect(loadConfig({}, {}).port).toBe(8787);
    expect(loadConfig({}, { PORT: '9000' }).port).toBe(9000);
    expect(loadConfig({ port: '9100' }, { PORT: '9000' }).port).toBe(9100);
    expect(loadConfig({}, { MAMORU_DEMO: 'false' }).demo).toBe(false);
  });

  it('names the variable and flag of a bad value', () => {
    expect(() => loadConfig({}, { PORT: '70000' })).toThrow(/PORT \(--port\)/);
    expect(() => loadConfig({}, { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL \(--log-level\)/);
  });
});
