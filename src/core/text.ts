/** A text in Japanese (first) and English (second). */
export interface LocalizedText {
  readonly ja: string;
  readonly en: string;
}

/**
 * Fill `{name}` placeholders from `params`; unknown placeholders stay as written
 * so a missing parameter is visible rather than silently blank.
 *
 * @example format('{count} 回線', { count: 6 }) // '6 回線'
 */
export function format(template: string, params: Readonly<Record<string, unknown>> | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.hasOwn(params, key) ? String(params[key]) : whole,
  );
}
