import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ChannelOperation, defineOperation, operationIssues, pathParams } from './operation.ts';

const base = defineOperation({
  name: 'add-note',
  path: 'notes',
  permission: 'indicators:write',
  summary: { ja: 'メモを追加', en: 'Add a note' },
  input: { kind: 'json', schema: z.object({ text: z.string() }) },
  output: z.object({ ok: z.boolean() }),
  run: async () => ({ ok: true }),
});
const list = defineOperation({
  ...base,
  name: 'list-notes',
  method: 'GET',
  input: { kind: 'query', schema: z.object({}) },
  run: async () => ({ ok: true }),
});

describe('operationIssues', () => {
  it('accepts kebab names and paths, :params, one GET and one POST on a path', () => {
    const release = { ...list, name: 'release-note', method: 'POST' as const, path: 'notes/:id/release' };
    expect(operationIssues('probe', [base, list, release])).toEqual([]);
  });

  it.each([
    ['a name not kebab-case', [{ ...base, name: 'addNote' }], /addNote.*kebab/],
    ['an alias not kebab-case', [{ ...base, aliases: ['Add'] }], /"Add".*kebab/],
    ['a path not kebab-case', [{ ...base, path: 'Notes/x' }], /path "Notes\/x"/],
    ['an empty path segment', [{ ...base, path: 'notes//x' }], /path "notes\/\/x"/],
    ['a repeated path parameter', [{ ...base, path: 'n/:id/:id' }], /parameter repeats/],
    ['a name used twice', [base, { ...base, path: 'other' }], /add-note is taken/],
    ['an alias that is another name', [base, { ...list, aliases: ['add-note'] }], /add-note is taken/],
    ['the reserved screen', [{ ...base, name: 'screen' }], /screen is taken/],
    ['a GET with a JSON body', [{ ...base, method: 'GET' }], /GET takes a query/],
    ['one route twice', [base, { ...base, name: 'add-other' }], /POST notes is another operation's route/],
    [
      'one route twice under other parameter names',
      [
        { ...base, path: 'n/:id' },
        { ...base, name: 'b', path: 'n/:key' },
      ],
      /another operation's route/,
    ],
  ] as [string, ChannelOperation[], RegExp][])('refuses %s', (_what, operations, issue) => {
    const issues = operationIssues('probe', operations);
    expect(
      issues.some((i) => issue.test(i)),
      issues.join('\n'),
    ).toBe(true);
    expect(issues.every((i) => i.startsWith('probe.'))).toBe(true);
  });
});

describe('pathParams', () => {
  it('names the :params in order', () => {
    expect(pathParams('lines')).toEqual([]);
    expect(pathParams('quarantine/:id/release')).toEqual(['id']);
    expect(pathParams('a/:org/b/:id')).toEqual(['org', 'id']);
  });
});
