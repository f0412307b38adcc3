import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * WCAG 2.x contrast (C4 accessibility: AA): every CSS rule of the console that
 * sets both a text colour and a background must reach 4.5:1, and the
 * palette's text colours must reach it on the page and panel backgrounds.
 */
const ROOT = join(import.meta.dirname, '../../console/src');

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cssFiles(join(dir, e.name)) : e.name.endsWith('.css') ? [join(dir, e.name)] : [],
  );
}

function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const styles = readFileSync(join(ROOT, 'styles.css'), 'utf8');
const palette = new Map(
  [...styles.matchAll(/--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})\s*;/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]),
);

/** A colour value as hex: a literal, a palette variable, or null (anything else: not checked here). */
function hexOf(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (/^#[0-9a-f]{3}([0-9a-f]{3})?$/.test(v)) return v;
  if (v === '#fff' || v === 'white') return '#ffffff';
  const ref = /^var\(--([a-z-]+)\)$/.exec(v);
  return ref ? (palette.get(ref[1]!) ?? null) : null;
}

describe('console colours meet WCAG AA contrast', () => {
  it('computes the WCAG ratio (black on white 21:1; #777 on white just under 4.5:1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#fff')).toBeCloseTo(4.48, 2);
  });

  it('the palette: text, muted text and links on the page and panel backgrounds; white on accent', () => {
    for (const [fg, bg] of [
      ['text', 'bg'],
      ['text', 'surface'],
      ['muted', 'bg'],
      ['muted', 'surface'],
      ['accent', 'surface'],
      ['accent', 'bg'],
      ['accent-text', 'accent'],
      ['danger', 'surface'],
      ['ok', 'surface'],
      ['warn', 'surface'],
    ] as const) {
      const ratio = contrast(palette.get(fg)!, palette.get(bg)!);
      expect(ratio, `${fg} on ${bg}: ${ratio.toFixed(2)}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('every rule that sets both colour and background', () => {
    let checked = 0;
    for (const file of cssFiles(ROOT)) {
      const css = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const rule of css.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
        const body = rule[2]!;
        const color = /(?:^|;)\s*color:\s*([^;]+)/.exec(body)?.[1];
        const background = /(?:^|;)\s*background(?:-color)?:\s*([^;]+)/.exec(body)?.[1];
        if (!color || !background) continue;
        const [fg, bg] = [hexOf(color), hexOf(background)];
        if (!fg || !bg) continue;
        const ratio = contrast(fg, bg);
        checked++;
        expect(
          ratio,
          `${file.slice(ROOT.length)} ${rule[1]!.trim()}: ${fg} on ${bg} = ${ratio.toFixed(2)}`,
        ).toBeGreaterThanOrEqual(4.5);
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});
