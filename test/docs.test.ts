import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LINE_CSV_COLUMNS } from '../src/channels/contract/lines-import.ts';
import { CHANNEL_PLUGINS } from '../src/channels/registry.ts';
import { loadConfig, SETTINGS } from '../src/config.ts';
import { ERROR_CODES } from '../src/core/index.ts';
import { CSV_COLUMNS } from '../src/intel/import-indicators.ts';
import { STATUS } from '../src/server/problem.ts';
import { bearer, startTestServer } from './helpers/server.ts';

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('docs', () => {
  it('documents every error code with its status', async () => {
    const doc = await read('docs/errors.md');
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      expect(doc, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${STATUS[code]}\\s*\\|`));
    }
  });

  it("shows in errors.md the problem the server answers for the page's example", async () => {
    const doc = await read('docs/errors.md');
    const shown = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!) as unknown;
    const server = await startTestServer();
    try {
      const res = await server.app.inject({
        method: 'POST',
        url: '/v1/screen/message',
        headers: bearer(server.token),
        payload: { kind: 'fax', sender: '+81300000000', text: '…' },
      });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toEqual(shown);
    } finally {
      await server.close();
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

/** README.md and every page of docs/. */
async function pages(): Promise<{ path: string; text: string }[]> {
  const docs = (await readdir(new URL('../docs/', import.meta.url))).filter((f) => f.endsWith('.md'));
  return Promise.all(
    ['README.md', ...docs.map((f) => `docs/${f}`)].map(async (path) => ({ path, text: await read(path) })),
  );
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

const exists = (path: string) => existsSync(new URL(`../${path}`, import.meta.url));

describe('docs cite only what is there', () => {
  it('cite no file outside the repository', async () => {
    for (const { path, text } of await pages()) {
      for (const outside of ['MEASURES.md', 'DESIGN.md', 'seeds/', '../shared', 'STYLE.md']) {
        expect(text.includes(outside), `${path} cites ${outside}`).toBe(false);
      }
    }
  });

  it('name repository paths that exist', async () => {
    let named = 0;
    for (const { path, text } of await pages()) {
      for (const [, cited] of text.matchAll(/`((?:src|test|bench|docs|bin|\.ci)\/[^`\s]*)`/g)) {
        // Placeholders (`src/channels/<name>`) and the worked example's new channel are not files.
        if (cited!.includes('<') || cited!.startsWith('src/channels/limit')) continue;
        named++;
        expect(exists(cited!.replace(/[#:].*$/, '')), `${path} names ${cited}`).toBe(true);
      }
    }
    expect(named).toBeGreaterThan(40);
  });

  it('link to pages and headings that exist', async () => {
    const all = await pages();
    const anchors = new Map(
      all.map(({ path, text }) => [
        path,
        new Set(
          text
            .split('\n')
            .filter((l) => /^#{1,6} /.test(l))
            .map((l) => slug(l.replace(/^#+ /, ''))),
        ),
      ]),
    );
    let links = 0;
    let checked = 0;
    for (const { path, text } of all) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        links++;
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
        const resolved = file === '' ? path : new URL(file, `file:///${dir}`).pathname.slice(1);
        expect(exists(resolved), `${path} links to ${target}`).toBe(true);
        if (anchor !== undefined && resolved.endsWith('.md')) {
          checked++;
          expect(anchors.get(resolved), `${path} links to ${target}`).toContain(decodeURIComponent(anchor));
        }
      }
    }
    expect(links).toBeGreaterThan(15);
    expect(checked).toBeGreaterThan(5);
    expect(anchors.get('docs/contract.md')).not.toContain('no-such-heading');
  });
});

describe('docs/measures.md', () => {
  it('lists every measure once, with where it is implemented', async () => {
    const doc = await read('docs/measures.md');
    const ids = [
      ...['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'],
      ...['I1', 'I2', 'I3', 'I4', 'D1', 'M1', 'M2', 'M3', 'M4', 'X1'],
      ...['T1', 'T2', 'T3', 'T4', 'E1', 'E2', 'E3', 'E4'],
    ];
    const rows = doc.split('\n').filter((l) => /^\| [A-Z]\d +\|/.test(l));
    expect(rows.map((r) => r.split('|')[1]!.trim())).toEqual(ids);
    for (const row of rows) {
      const status = row.split('|')[4]!.trim();
      expect(status, row.slice(0, 40)).toMatch(/^(implemented|partly|not yet)\b/);
    }
    // The contract measures are implemented, in the contract channel.
    for (const row of rows.slice(0, 6)) expect(row).toMatch(/implemented: `src\/channels\/contract\//);
  });

  it('names the channels that are registered, and no other', async () => {
    const registered = CHANNEL_PLUGINS.map((c) => c.name);
    const readme = await read('README.md');
    const bold = [...readme.matchAll(/\*\*`([a-z]+)`\*\*/g)].map((m) => m[1]);
    expect(bold.sort()).toEqual([...registered].sort());
    expect(await read('docs/measures.md')).toContain(
      `Channels that exist today: ${[...registered]
        .sort()
        .map((n) => `\`${n}\``)
        .join(' and ')}`,
    );
  });
});

describe('docs/intel.md', () => {
  it('gives example files that import every line', async () => {
    const doc = await read('docs/intel.md');
    const server = await startTestServer({ demo: false });
    try {
      for (const [format, type] of [
        ['csv', 'text/csv'],
        ['jsonl', 'application/x-ndjson'],
      ] as const) {
        const file = new RegExp(
          `<!-- indicators: ${format} -->\\s*\`\`\`${format}\\n([\\s\\S]*?)\`\`\``,
        ).exec(doc)?.[1];
        expect(file, format).toBeDefined();
        const res = await server.app.inject({
          method: 'POST',
          url: '/v1/indicators/import',
          headers: { ...bearer(server.token), 'content-type': type },
          payload: file!,
        });
        const lines = file!.trim().split('\n').length - (format === 'csv' ? 1 : 0);
        expect(res.json(), format).toMatchObject({ processed: lines, rejected: 0 });
      }
      // A line the format does not allow is rejected, so the check above can fail.
      const bad = await server.app.inject({
        method: 'POST',
        url: '/v1/indicators/import',
        headers: { ...bearer(server.token), 'content-type': 'application/x-ndjson' },
        payload: '{"type":"url","value":"https://a.example/","expires_at":"soon"}\n',
      });
      expect(bad.json()).toMatchObject({ processed: 1, rejected: 1 });
    } finally {
      await server.close();
    }
  });

  it('documents every CSV column of the indicator import', async () => {
    const doc = await read('docs/intel.md');
    const csv = /<!-- indicators: csv -->\s*```csv\n([^\n]*)/.exec(doc)?.[1];
    expect(csv?.split(',')).toEqual([...CSV_COLUMNS]);
    for (const column of CSV_COLUMNS) expect(doc, column).toMatch(new RegExp(`\\| \`${column}\` +\\|`));
  });
});

describe('docs/contract.md', () => {
  it('lists every column of the lines import', async () => {
    const doc = await read('docs/contract.md');
    const paragraph = doc.slice(doc.indexOf('CSV columns (any order'), doc.indexOf('```csv'));
    const named = [...paragraph.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    for (const column of LINE_CSV_COLUMNS) expect(named, column).toContain(column);
  });
});
