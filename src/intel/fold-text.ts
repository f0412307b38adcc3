/**
 * Fold text for matching: NFKC (full-width letters, digits and spaces to
 * their plain forms), lower case, white space collapsed to one space and
 * trimmed. Applied until stable, so folding folded text changes nothing
 * (a few characters change again under NFKC after lower-casing).
 *
 * @example foldText('ＹＡＭＡＤＡ　 Taro ') // 'yamada taro'
 */
export function foldText(s: string): string {
  let current = s;
  for (let i = 0; i < 4; i++) {
    const next = current.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
    if (next === current) return next;
    current = next;
  }
  return current;
}
