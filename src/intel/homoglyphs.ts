/**
 * Letters outside ASCII that render like an ASCII letter in common phone and browser fonts:
 * Cyrillic, Greek and Latin-extended look-alikes, each with the Latin letter it imitates (a
 * hand-picked subset of Unicode confusables.txt, restricted to the ones indistinguishable in
 * practice; the full table folds legitimate Japanese punctuation and digits too). Lower case only:
 * callers lower-case first. Shared by the text normaliser (`src/ml/normalise-text.ts`, which folds a
 * lure's text) and the look-alike domain check (`src/intel/lookalike.ts`, which folds a host to its
 * skeleton and adds the digit–letter swaps of phishing kits) — issue 9, I1.
 */
export const LATIN_LOOKALIKES: Readonly<Record<string, string>> = Object.freeze({
  // Cyrillic
  а: 'a',
  в: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  ӏ: 'l',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  т: 't',
  ц: 'u',
  ѵ: 'v',
  ԝ: 'w',
  х: 'x',
  у: 'y',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  // Latin look-alikes outside ASCII
  ı: 'i',
  ɑ: 'a',
  ɡ: 'g',
});
