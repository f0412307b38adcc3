/** A text in Japanese (first) and English (second). */
export interface LocalizedText {
  readonly ja: string;
  readonly en: string;
}

// Templates come from the signal catalogue, a small fixed set: split each once.
const compiled = new Map<string, readonly string[]>();
const MAX_COMPILED = 4096;

/**
 * Fill `{name}` placeholders from `params`; unknown placeholders stay as written
 * so a missing parameter is visible rather than silently blank.
 *
 * @example format('{count} 回線', { count: 6 }) // '6 回線'
 */
export function format(template: string, params: Readonly<Record<string, unknown>> | undefined): string {
  if (!params || !template.includes('{')) return template;
  let parts = compiled.get(template);
  if (!parts) {
    // Odd indices are placeholder names: 'a{x}b' → ['a', 'x', 'b'].
    parts = template.split(/\{(\w+)\}/);
    if (compiled.size < MAX_COMPILED) compiled.set(template, parts);
  }
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i] as string;
    out += Object.hasOwn(params, key) ? String(params[key]) : `{${key}}`;
    out += parts[i + 1] ?? '';
  }
  return out;
}
