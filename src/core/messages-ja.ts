import { z } from 'zod';

/**
 * Japanese for the messages of a 400 (Japanese first, DESIGN.md): every field
 * issue carries its message in both languages. zod's own issues are put into
 * Japanese by zod's `ja` locale; Mamoru's own messages (refinements, checks)
 * by the catalogue below, exactly or by pattern. A message neither knows is
 * still given in Japanese, wrapped: 「入力が正しくありません（…）」.
 */
const EXACT: Record<string, string> = {
  'is not a known field': '不明な項目です',
  'must be an origin of 1–132 characters: <kind>:<id> or <kind> (shop:<id>, agency:<id>, online, mta:<host>…)':
    '発生元は <種類>:<ID> または <種類> の形で指定してください（shop:<id>、agency:<id>、online、mta:<host> など）',
  'only an agent or system key is bound to an origin': '発生元に限定できるのは agent・system キーだけです',
  'outlet is the older name of origin: give one of them':
    'outlet は origin の旧名です。どちらか一方だけを指定してください',
  'not a cursor of this list (use nextCursor as given)':
    'この一覧のカーソルではありません（nextCursor をそのまま使ってください）',
  'must not be in the future': '未来の日時は指定できません',
  'must not contain NUL or unpaired surrogates': 'NUL 文字や対になっていないサロゲートは使えません',
  'must not contain |': '「|」は使えません',
  'must be between 1900 and 2199': '1900 年から 2199 年の間で指定してください',
  'must be a keyed hash (64 hex digits, HMAC-SHA256)':
    'キー付きハッシュ（16 進 64 桁、HMAC-SHA256）で指定してください',
  'not a phone number': '電話番号ではありません',
  'not JSON': 'JSON ではありません',
  'not readable JSON': 'JSON として読めません',
  'is not a JSON object': 'JSON オブジェクトではありません',
  'must be a JSON object': 'JSON オブジェクトで指定してください',
  'expected an object': 'オブジェクトで指定してください',
  'unknown setting: the policy is refused': '不明な設定です（ポリシーは受け付けられません）',
  'unknown signal for this channel': 'このチャネルにないシグナルです',
  "the engine's own signal: use the policy's overrides (allow and deny lists; overrides.denyAction)":
    'エンジン自身のシグナルです。ポリシーの overrides（許可・拒否リストと overrides.denyAction）で指定してください',
  'unknown signal group for this channel': 'このチャネルにないシグナルグループです',
  'unknown detector for this channel': 'このチャネルにない検知器です',
  'unknown role': '不明なロールです',
  'unknown type': '不明な種別です',
  'change at least one field': '少なくとも一つの項目を変更してください',
  'same as the organisation': '組織と同じです',
  'send text/csv or application/x-ndjson': 'text/csv か application/x-ndjson で送ってください',
  'public scope is reserved for the operator organisation': '公開範囲 public は運営組織だけが使えます',
  'must be a string (an object is accepted for identity only)':
    '文字列で指定してください（オブジェクトは identity のみ）',
};

/** Messages with a part that varies, as `[English pattern, Japanese template]` ($1… from the pattern). */
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^must be (\w+)$/, '$1 である必要があります'],
  [/^must be one of (.+)$/, '次のいずれかで指定してください: $1'],
  [/^must be an origin a channel screens: (.+)$/, '審査するチャネルの発生元で指定してください: $1'],
  [/^is longer than (\d+) characters$/, '$1 文字を超えています'],
  [/^must not contain (.+)$/, '$1 は使えません'],
];

/** The Japanese of issues made from zod's issues (kept aside, so an issue's own fields stay as they are). */
const JAPANESE = new WeakMap<object, string>();

/** Remember the Japanese of a field issue (see `japaneseOf`). */
export function rememberJapanese<T extends object>(issue: T, ja: string): T {
  JAPANESE.set(issue, ja);
  return issue;
}

/**
 * The Japanese of a field issue: its own `ja`, the one remembered when it was
 * made from a zod issue, or `japaneseMessage` of its English.
 */
export function japaneseOf(issue: { readonly message: string; readonly ja?: string | undefined }): string {
  return issue.ja ?? JAPANESE.get(issue) ?? japaneseMessage(issue.message);
}

/**
 * Add a channel's own messages (the fields only its schema has) to the
 * catalogue; `Mamoru.open` registers every channel's `messagesJa`. A message
 * already in the catalogue keeps its Japanese.
 */
export function registerJapaneseMessages(messages: Readonly<Record<string, string>> | undefined): void {
  if (!messages) return;
  for (const [english, japanese] of Object.entries(messages))
    if (!Object.hasOwn(EXACT, english)) EXACT[english] = japanese;
}

/** zod's Japanese messages, made once. */
const ZOD_JA = z.locales.ja().localeError;

/**
 * The Japanese of one field issue's message: zod's `ja` locale for zod's own
 * issues, the catalogue for Mamoru's, else the English wrapped.
 *
 * @example japaneseMessage('must not be in the future') // '未来の日時は指定できません'
 */
export function japaneseMessage(english: string, issue?: z.core.$ZodIssue): string {
  const known = EXACT[english];
  if (known) return known;
  // A message written in both languages already (「…／ …」 or 「… / …」): its Japanese part.
  if (/[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(english)) {
    return english.split(/\s[/／]\s/u)[0] ?? english;
  }
  if (issue && issue.code !== 'custom') {
    try {
      const message = ZOD_JA(issue as unknown as z.core.$ZodRawIssue);
      const text = typeof message === 'string' ? message : message?.message;
      if (text) return text;
    } catch {
      // A locale that cannot render an issue leaves the catalogue to answer.
    }
  }
  for (const [pattern, template] of PATTERNS) {
    if (pattern.test(english)) return english.replace(pattern, template);
  }
  return `入力が正しくありません（${english}）`;
}
