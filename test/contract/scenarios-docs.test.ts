import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contractSchema } from '../../src/channels/contract/contract-schema.ts';
import { DEFAULT_CONTRACT_SETTINGS } from '../../src/channels/contract/settings.ts';
import { CONTRACT_SIGNALS } from '../../src/channels/contract/signals.ts';
import type { SignalDeclaration } from '../../src/core/index.ts';

/**
 * docs/contract.md stays true to the code and to its sources: every signal
 * with its weight and forced action, every setting with its default, and
 * every quoted source sentence found verbatim in the seed it names (when the
 * seeds are there: they sit beside the design documents, outside the repository).
 */
const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
const seed = async (name: string) => {
  for (const dir of ['../shared/seeds', '../../shared/seeds', 'shared/seeds']) {
    try {
      return await read(`${dir}/${name}`);
    } catch {}
  }
  return undefined;
};

/** Leaf settings as [path, default]; lists and null are leaves. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (value === null || Array.isArray(value) || typeof value !== 'object') return [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

/** The cells of the table row whose first cell is `first`, trimmed. */
function row(doc: string, first: string): string[] | undefined {
  for (const line of doc.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells[0] === first) return cells;
  }
  return undefined;
}

describe('docs/contract.md', () => {
  it('lists every signal with its group, weight and forced action', async () => {
    const doc = await read('docs/contract.md');
    for (const s of CONTRACT_SIGNALS) {
      const cells = row(doc, `\`${s.name}\``);
      expect(cells, s.name).toBeDefined();
      const [, , group, weight, action] = cells!;
      expect(group).toBe(`\`${s.group}\``);
      expect(weight).toMatch(new RegExp(`^${s.weight}( per line)?$`));
      const declared: SignalDeclaration = s;
      // Forced actions are declared once, with the signal (the default policy does not restate them).
      const forcedAction = declared.forceAction;
      if (forcedAction) expect(action).toBe(`\`${forcedAction}\``);
      else expect(action).toMatch(/^—/);
    }
  });

  it('lists every setting with its default', async () => {
    const doc = await read('docs/contract.md');
    for (const [path, value] of leaves(DEFAULT_CONTRACT_SETTINGS)) {
      const cells = row(doc, `\`${path}\``);
      expect(cells, path).toBeDefined();
      if (path !== 'kycRules') expect(cells![1], path).toBe(`\`${JSON.stringify(value)}\``);
    }
    for (const rule of DEFAULT_CONTRACT_SETTINGS.kycRules) {
      const line = doc
        .split('\n')
        .map((l) => l.split('|').map((c) => c.trim()))
        .find((c) => c[1] === rule.from && c[2]!.split(/,\s*/).includes(rule.channel));
      expect(line, `${rule.from} ${rule.channel}`).toBeDefined();
      expect(line![3]!.match(/[a-z_]+/g)).toEqual(rule.allowed);
    }
  });

  it('quotes its sources verbatim', async () => {
    const doc = await read('docs/contract.md');
    const seeds = {
      '001': await seed('001_3033391a0a4043d3.txt'),
      '000': await seed('000_0974af741198bcce.txt'),
    } as Record<string, string | undefined>;
    const quotes = [...doc.matchAll(/^> (.+?) — \[(00[01])\]/gm)];
    expect(quotes.length).toBeGreaterThan(20);
    for (const [, text, source] of quotes) {
      const original = seeds[source!];
      if (original === undefined) continue;
      // The seeds break some sentences across lines; `…` marks text left out, so the parts come in order.
      const flat = original.replace(/\n/g, '');
      let from = 0;
      for (const part of text!.split('…').filter((p) => p !== '')) {
        const at = flat.indexOf(part, from);
        expect(at, `quoted from seed ${source}: ${part}`).toBeGreaterThanOrEqual(0);
        from = at + part.length;
      }
    }
  });

  it('gives example applications the schema accepts, with every field the rules read', async () => {
    const doc = await read('docs/contract.md');
    const blocks = [...doc.matchAll(/(<!-- application -->\s*)?```json\n([\s\S]*?)```/g)];
    const examples = blocks.filter(([, marked]) => marked).map(([, , json]) => JSON.parse(json!) as unknown);
    // Every JSON block that is an application is marked, so none goes unchecked.
    const unmarked = blocks.filter(([, marked, json]) => !marked && json!.includes('"applicationId"'));
    expect(unmarked.map(([, , json]) => json)).toEqual([]);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      const parsed = contractSchema.safeParse(example);
      expect(parsed.error?.issues ?? [], JSON.stringify(example).slice(0, 80)).toEqual([]);
    }
    // Together they show the fields a carrier is most likely to miss.
    const paths = new Set(examples.flatMap((e) => leafPaths(e)));
    for (const path of [
      'holder.corporation.corporateNumber',
      'holder.corporation.employmentVerification.verifiedAt',
      'holder.corporation.authority.basis',
      'holder.corporation.authority.issuedOn',
      'lines.registeredUser.name',
      'lines.registeredUser.birthDate',
      'session.ipAddress',
      'session.deviceId',
      'session.formSeconds',
      'session.attempts',
      'addedLine.authentication',
      'addedLine.lineNumber',
      'identityVerification.method',
      'pledgeSigned',
      'submittedAt',
    ]) {
      expect(paths, path).toContain(path);
    }
  });

  it('refuses an application the schema does not know (the examples check can fail)', () => {
    const bad = { ...exampleApplication(), session: { ipAddress: '203.0.113.24', typingSpeed: 3 } };
    expect(contractSchema.safeParse(bad).success).toBe(false);
    expect(contractSchema.safeParse(exampleApplication()).success).toBe(true);
  });
});

/** Object paths of every leaf (array indexes left out: `lines.registeredUser.name`). */
function leafPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => leafPaths(v, path));
  if (value === null || typeof value !== 'object') return [path];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, path ? `${path}.${k}` : k));
}

function exampleApplication(): Record<string, unknown> {
  return {
    applicationId: 'APP-1',
    salesChannel: { type: 'online' },
    holder: {
      type: 'person',
      identity: { name: '山田 太郎', birthDate: '1985-04-12', address: '東京都新宿区西新宿2-8-1' },
    },
    identityVerification: {
      method: 'jpki_signature',
      assuranceLevel: 3,
      performedAt: '2026-01-15T10:55:00+09:00',
    },
    lines: [{ simType: 'voice', count: 1 }],
  };
}
