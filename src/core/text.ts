import { z } from 'zod';

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

/**
 * What a text field may hold, for names (`name`: one line) and free text
 * (`text`: lines and tabs allowed). One rule for every field a person writes
 * into Mamoru — organisation, key and origin names, assignees, comments,
 * resolution reasons, indicator descriptions, applicants' names and
 * addresses — at the HTTP edge, in the CLI and in the store:
 *
 * - no unpaired surrogate (UTF-16 that is not text; PostgreSQL refuses it);
 * - no control character (`\p{Cc}`: NUL, escape…); free text may hold tab,
 *   line feed and carriage return;
 * - no invisible format character (`\p{Cf}`, U+2028, U+2029): bidirectional
 *   embeddings, overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069,
 *   U+200E, U+200F, U+061C), zero-width space, joiner and non-joiner, word
 *   joiner, BOM, soft hyphen, tag characters — they reorder or hide what a
 *   reader sees. Two emoji forms stay allowed because they show exactly what
 *   they mean: a zero-width joiner between two pictographs (👩‍💻) and the tag
 *   sequence of a subdivision flag (🏴 + tags + cancel tag).
 *
 * Content under screening (a message's text, a URL) is evidence and is not
 * held to this rule: a bidirectional override in a phishing SMS is a reason to
 * flag it, not to refuse it.
 *
 * @returns what is wrong, in Japanese and English, naming the code point and
 *   its position (in characters); `undefined` when the text is fine.
 * @example misleadingText('Shop\u202Egnp.exe', 'name')
 * // '見えない書式文字（双方向制御・ゼロ幅文字など）は使えません / must not contain invisible format characters (bidirectional controls, zero-width characters…): U+202E at index 4'
 */
export function misleadingText(value: string, kind: TextKind = 'text'): string | undefined {
  if (!SUSPECT.test(value)) return undefined;
  const chars = Array.from(value);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (!SUSPECT.test(c)) continue;
    const at = `${codePoint(c)} at index ${i}`;
    if (SURROGATE.test(c)) return `${TEXT_RULES.surrogate}: ${at}`;
    if (CONTROL.test(c)) {
      if (kind === 'text' && (c === '\t' || c === '\n' || c === '\r')) continue;
      return `${TEXT_RULES.control}: ${at}`;
    }
    if (isEmojiJoiner(chars, i) || isFlagTag(chars, i)) continue;
    return `${TEXT_RULES.format}: ${at}`;
  }
  return undefined;
}

/** `name`: one line (no tab or line break); `text`: free text, lines and tabs allowed. */
export type TextKind = 'name' | 'text';

/** The three ways a text breaks the rule of {@link misleadingText}, in Japanese and English. */
export const TEXT_RULES = {
  surrogate:
    '対になっていないサロゲートは使えません / must not contain unpaired surrogates (not valid Unicode text)',
  control: '制御文字は使えません / must not contain control characters',
  format:
    '見えない書式文字（双方向制御・ゼロ幅文字など）は使えません / must not contain invisible format characters (bidirectional controls, zero-width characters…)',
} as const;

const SUSPECT = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const SURROGATE = /^\p{Cs}$/u;
const CONTROL = /^\p{Cc}$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const EMOJI_TAIL = /^(?:\p{Emoji_Modifier}|\ufe0f)$/u;
const ZWJ = '\u200d';
const BLACK_FLAG = '\u{1f3f4}';
const CANCEL_TAG = '\u{e007f}';

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A zero-width joiner between two pictographs (after an optional skin tone or emoji presentation selector). */
function isEmojiJoiner(chars: readonly string[], i: number): boolean {
  if (chars[i] !== ZWJ) return false;
  let before = i - 1;
  while (before >= 0 && EMOJI_TAIL.test(chars[before] as string)) before--;
  return before >= 0 && PICTOGRAPH.test(chars[before] as string) && PICTOGRAPH.test(chars[i + 1] ?? '');
}

/** A tag character inside a subdivision flag: U+1F3F4, tags U+E0020–U+E007E, then the cancel tag U+E007F. */
function isFlagTag(chars: readonly string[], i: number): boolean {
  const isTag = (c: string | undefined) => {
    const cp = c?.codePointAt(0) ?? 0;
    return cp >= 0xe0020 && cp <= 0xe007e;
  };
  if (!isTag(chars[i]) && chars[i] !== CANCEL_TAG) return false;
  let start = i;
  while (start > 0 && isTag(chars[start - 1])) start--;
  if (chars[start - 1] !== BLACK_FLAG) return false;
  let end = chars[i] === CANCEL_TAG ? i : i + 1;
  while (isTag(chars[end])) end++;
  return chars[end] === CANCEL_TAG && end > start;
}

/**
 * The text rule as a zod refinement, for a string schema of one's own.
 *
 * @example z.string().max(100).superRefine(textRule('name'))
 */
export function textRule(kind: TextKind): (value: string, ctx: z.core.$RefinementCtx<string>) => void {
  return (value, ctx) => {
    const problem = misleadingText(value, kind);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  };
}

/**
 * A field a person writes: trimmed, 1 (or `min`) to `max` characters, under
 * the text rule; a breach is a 400 naming the field, the code point and where.
 *
 * @example z.object({ name: textField('name', 100), comment: textField('text', 2000).optional() })
 */
export function textField(kind: TextKind, max: number, options: { min?: number } = {}) {
  return z
    .string()
    .trim()
    .min(options.min ?? 1)
    .max(max)
    .superRefine(textRule(kind));
}
