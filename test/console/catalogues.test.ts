/**
 * The console's texts (C4): every string a user reads is in a catalogue,
 * Japanese first. Each ja namespace has an en twin with exactly the same key
 * paths and no empty text; components hold no literal text a user reads (JSX
 * text, or aria-label / title / placeholder / alt strings with letters).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const I18N = join(ROOT, 'console/src/i18n');
const SRC = join(ROOT, 'console/src');

function namespaces(lang: string): string[] {
  return readdirSync(join(I18N, lang))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Key paths of a catalogue (`a.b.c`) with their texts; arrays by index. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value !== null && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      leaves(v, prefix ? `${prefix}.${k}` : k),
    );
  return [[prefix, value]];
}

const read = (lang: string, ns: string) => JSON.parse(readFileSync(join(I18N, lang, `${ns}.json`), 'utf8'));

describe('catalogues', () => {
  it('has the same namespaces in ja and en', () => {
    expect(namespaces('en')).toEqual(namespaces('ja'));
    expect(namespaces('ja')).toContain('common');
  });

  for (const ns of namespaces('ja'))
    it(`${ns}: en has exactly the key paths of ja, every text non-empty`, () => {
      const ja = leaves(read('ja', ns));
      const en = leaves(read('en', ns));
      expect(en.map(([k]) => k).sort()).toEqual(ja.map(([k]) => k).sort());
      const empty = [...ja.map(([k, v]) => ['ja', k, v]), ...en.map(([k, v]) => ['en', k, v])]
        .filter(([, , v]) => typeof v !== 'string' || v.trim() === '')
        .map(([lang, k]) => `${lang}/${ns}.json ${k}`);
      expect(empty).toEqual([]);
    });
});

/** Attributes whose text a user reads (or a screen reader says). */
const TEXT_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'label']);

/** Text that is not language: punctuation, numbers, symbols (no letter of any script). */
const hasLetters = (text: string) => /\p{L}/u.test(text);

/**
 * Literal texts allowed in components, each with why: the brand's Japanese
 * mark beside the translated name is a logo, the same in every language.
 */
const ALLOWED: readonly { file: string; text: string }[] = [{ file: 'console/src/root.tsx', text: '守る' }];

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsxFiles(path);
    return entry.endsWith('.tsx') ? [path] : [];
  });
}

/** The user-visible literal texts of one .tsx file, as `line: text`. */
function literalTexts(path: string, source = readFileSync(path, 'utf8')): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const at = (node: ts.Node, text: string) =>
    found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${text.trim()}`);
  const literalIn = (node: ts.Node | undefined): ts.StringLiteralLike | undefined => {
    if (!node) return undefined;
    if (ts.isStringLiteralLike(node)) return node;
    if (ts.isJsxExpression(node)) return literalIn(node.expression);
    return undefined;
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && hasLetters(node.text)) at(node, node.text);
    else if (ts.isJsxExpression(node) && node.expression && ts.isStringLiteralLike(node.expression)) {
      // {'text'} as a child.
      if (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))
        if (hasLetters(node.expression.text)) at(node, node.expression.text);
    } else if (ts.isJsxAttribute(node)) {
      const name = node.name.getText(file);
      const literal = literalIn(node.initializer);
      if (TEXT_ATTRIBUTES.has(name) && literal && hasLetters(literal.text))
        at(node, `${name}="${literal.text}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('components hold no literal user-facing text', () => {
  it('finds the texts it looks for (self-check)', () => {
    const sample = `const A = () => (<div title="Hello" aria-label={'閉じる'} data-x="ok"><p>Save</p>{'Click'}<span>{t('a')} — / 3</span><input placeholder="…" /></div>);`;
    expect(literalTexts('sample.tsx', sample)).toEqual([
      '1: title="Hello"',
      '1: aria-label="閉じる"',
      '1: Save',
      '1: Click',
    ]);
  });

  for (const path of tsxFiles(SRC)) {
    const name = relative(ROOT, path);
    it(name, () => {
      const allowed = ALLOWED.filter((a) => a.file === name).map((a) => a.text);
      const texts = literalTexts(path).filter((t) => !allowed.some((a) => t.endsWith(`: ${a}`)));
      expect(texts).toEqual([]);
    });
  }
});
