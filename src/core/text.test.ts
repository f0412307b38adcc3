import { describe, expect, it } from 'vitest';
import { format } from './text.ts';

describe('format', () => {
  it('fills placeholders from params', () => {
    expect(format('{count} 回線（上限 {cap}）', { count: 6, cap: 5 })).toBe('6 回線（上限 5）');
    expect(format('{a}{a}', { a: 'x' })).toBe('xx');
    expect(format('{a}', { a: 0 })).toBe('0');
    expect(format('{a}', { a: '' })).toBe('');
  });

  it('keeps a placeholder without a param visible', () => {
    expect(format('{count} lines, {missing}', { count: 2 })).toBe('2 lines, {missing}');
  });

  it('returns the template as it is without params or placeholders', () => {
    expect(format('{count} 回線', undefined)).toBe('{count} 回線');
    expect(format('no placeholders', { a: 1 })).toBe('no placeholders');
    expect(format('', { a: 1 })).toBe('');
  });

  it('leaves braces that are not placeholders alone (near miss)', () => {
    expect(format('{not-a-name} { a } {} {{a}}', { a: 1 })).toBe('{not-a-name} { a } {} {1}');
  });

  it('uses only the params’ own keys, not inherited ones', () => {
    expect(format('{toString} {constructor}', {})).toBe('{toString} {constructor}');
  });

  it('gives the same text from a cached template', () => {
    const template = '{x} と {y}';
    expect(format(template, { x: 1, y: 2 })).toBe('1 と 2');
    expect(format(template, { x: 'a' })).toBe('a と {y}');
  });
});
