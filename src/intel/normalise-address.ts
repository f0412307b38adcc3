import { cleanAddressText, foldKana, IS_KANJI_NUMERAL, IS_NUMERAL } from './address-text.ts';
import { matchCity, matchPrefecture } from './jp-places.ts';
import { decimalToKanji, KANJI_NUMERAL_CHARS, kanjiToDecimal } from './kanji-numerals.ts';

// Why rule-based and not @geolonia/normalize-japanese-addresses: that library
// is async and reads its address data (町字, 番地) from a web API at run time;
// no npm package ships that data, and Mamoru fetches nothing at run time. Its
// data would also change keys whenever it is updated. So the normal form is
// built here from rules and two small frozen tables committed in address-data/
// (municipalities from Japan Post's KEN_ALL; the library's old-kanji table).

/** The parts of a Japanese address as the normal form sees them. */
export interface JapaneseAddressParts {
  /** 都道府県, as written or inferred from an unambiguous city; '' when unknown. */
  readonly prefecture: string;
  /** 市区町村 without its 郡 (designated cities with their ward); '' when not found. */
  readonly city: string;
  /** 町字 (and, when the city was not found, whatever came before the numbers): 大字/字 and Kyoto street directions removed, numerals in kanji. */
  readonly town: string;
  /** 丁目・番(地)・号 and 枝番, in arabic digits, in order. */
  readonly numbers: readonly string[];
  /** What follows the numbers (building, floor, room), cleaned: not part of the key. */
  readonly rest: string;
  /** The room number (号室) when one was found. */
  readonly room?: string | undefined;
}

export interface NormaliseAddressOptions {
  /** Keep the room number as `#<room>` (default false: the key is the building). */
  readonly keepRoom?: boolean;
}

/** `s` after its first `count` non-space characters and the spaces after them. */
function skipChars(s: string, count: number): string {
  let i = 0;
  for (let seen = 0; i < s.length && seen < count; i++) if (s[i] !== ' ') seen++;
  return s.slice(i).trimStart();
}

/** Kyoto street directions (京都の通り名: 寺町通御池上る) before the town name: the town alone is the address. */
const KYOTO_DIRECTION = /[上下]が?[るル]|[東西]入[るル]?/g;

function dropKyotoStreet(rest: string): string {
  const head = rest.split(/[0-9]/, 1)[0] ?? '';
  let end = -1;
  for (const m of head.matchAll(KYOTO_DIRECTION)) end = m.index + m[0].length;
  return end > 0 && end < rest.length ? rest.slice(end).trimStart() : rest;
}

/** 大字・小字・字 markers (大字青山字北 → 青山北), leaving names that hold 字 (十文字, 万字, 阿字). */
function dropAzaMarkers(rest: string): string {
  return rest.replace(/[大小]字/g, '').replace(/(?<![文万阿和分十])字/g, '');
}

// Sticky patterns, matched where the reading stands (see `at`), so long input costs linear time.
const UNIT = /(丁目|番地|番|号(?!室)|丁)/y;
const SEPARATOR = /[-のノ]/y;
/** What follows a number that is a floor, a building or a room rather than part of the address. */
const NOT_ADDRESS = / ?(号室|室|f|階|棟|号館|号棟)/y;
const ROOM = / ?(号室|室)/y;
/** A character of a name after a number (not a numeral: 一号一 is two numbers, not a name). */
const NAME_CHAR = new RegExp(`(?![${KANJI_NUMERAL_CHARS}])[\\p{Script=Han}ノツケ]`, 'uy');

/** The match of a sticky pattern at `i`. */
function at(pattern: RegExp, s: string, i: number): RegExpExecArray | null {
  pattern.lastIndex = i;
  return pattern.exec(s);
}

interface Run {
  readonly value: string;
  readonly end: number;
  readonly kanji: boolean;
}

function runAt(s: string, i: number): Run {
  const kanji = IS_KANJI_NUMERAL.test(s[i] ?? '');
  let end = i;
  while (end < s.length && (kanji ? IS_KANJI_NUMERAL : /[0-9]/).test(s[end] ?? '')) end++;
  const text = s.slice(i, end);
  return { value: kanji ? kanjiToDecimal(text) : text.replace(/^0+(?=\d)/, ''), end, kanji };
}

const spaceAt = (s: string, i: number) => (s[i] === ' ' ? i + 1 : i);

interface Sequence {
  readonly numbers: readonly string[];
  readonly end: number;
  readonly name: boolean;
  readonly room?: string;
}

/**
 * Read the numbers of an address from `start` (a numeral): numbers joined by
 * 丁目・番地・番・号・丁 or by `-`・の・ノ, until anything else. A number that is a
 * room (号室, or a fourth number of three digits or more: 2-8-1-101), a floor
 * or a building (3F, 2階, 5号館) ends it. A single number glued to a name
 * character (六本木, 一番町, 八丁堀, 北1条, 一ノ宮) is part of a name, not the
 * address: `name` is true.
 */
function readSequence(s: string, start: number): Sequence {
  const numbers: string[] = [];
  let pos = start;
  let unit = '';
  for (;;) {
    const run = runAt(s, pos);
    const roomLike = numbers.length >= 3 && !run.kanji && run.value.length >= 3;
    if (at(NOT_ADDRESS, s, run.end) || roomLike) {
      const room = at(ROOM, s, run.end) || roomLike ? run.value : undefined;
      return { numbers, end: pos, name: false, ...(room ? { room } : {}) };
    }
    numbers.push(run.value);
    pos = run.end;
    if (run.kanji && /[0-9]/.test(s[pos] ?? '')) {
      // A kanji run glued to the digits of an address (九十九1234) is a name; glued to a room or floor (百3F) it is the address.
      if (numbers.length === 1 && readSequence(s, pos).numbers.length > 0)
        return { numbers, end: pos, name: true };
      break;
    }
    let p = spaceAt(s, pos);
    const u = at(UNIT, s, p)?.[1];
    const isUnit = u !== undefined && !(u === '丁' && at(NAME_CHAR, s, p + 1));
    if (isUnit) {
      unit = u;
      pos = p + u.length;
      p = spaceAt(s, pos);
    }
    if (at(SEPARATOR, s, p)) p = spaceAt(s, p + 1);
    else if (!isUnit) break;
    if (!IS_NUMERAL.test(s[p] ?? '')) break;
    // After 号 the address is complete unless a unit says otherwise (南13号5番地).
    if (isUnit && u === '号' && !at(UNIT, s, spaceAt(s, runAt(s, p).end))) break;
    pos = p;
  }
  const name = numbers.length === 1 && unit !== '番地' && at(NAME_CHAR, s, pos) !== null;
  return { numbers, end: pos, name };
}

/** Split what follows the city into town name, numbers and the rest. */
function splitTown(rest: string): Omit<JapaneseAddressParts, 'prefecture' | 'city'> {
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i] ?? '';
    if (!IS_NUMERAL.test(c)) continue;
    const previous = rest[i - 1] ?? '';
    if (IS_NUMERAL.test(previous) && /[0-9]/.test(previous) === /[0-9]/.test(c)) continue;
    const seq = readSequence(rest, i);
    if (seq.name) {
      i = seq.end - 1;
      continue;
    }
    const tail = rest.slice(seq.end).trim();
    return {
      town: townName(rest.slice(0, i)),
      numbers: seq.numbers,
      rest: tail,
      room: seq.room ?? roomIn(tail),
    };
  }
  return { town: townName(rest), numbers: [], rest: '' };
}

/** A town name without spaces and punctuation, its arabic numerals in kanji (北1条西 → 北一条西). */
function townName(text: string): string {
  const name = text
    .replace(/[\s\-、,。.・()[\]「」『』【】〒]/g, '')
    .replace(/[0-9]+/g, (d) => decimalToKanji(Number(d)) ?? d);
  // Numerals now in kanji can be the neighbours the kana folds look for (東の4東 → 東ノ四東).
  return foldKana(name);
}

/** The room number in what follows the address: 101号室, digits ending a building name (ハイツ201), or -101 after 号. */
function roomIn(tail: string): string | undefined {
  const explicit = /([0-9]+) ?(?:号室|室)/.exec(tail)?.[1];
  if (explicit) return explicit;
  return /(?:^|[^0-9 -])-? ?([0-9]+)$/.exec(tail)?.[1];
}

/**
 * Parse a Japanese address into the parts its normal form is made of (see
 * {@link normaliseJapaneseAddress}). Never throws.
 *
 * @example parseJapaneseAddress('新宿区西新宿二丁目8番1号 都庁') // { prefecture: '東京都', city: '新宿区', town: '西新宿', numbers: ['2', '8', '1'], rest: '都庁' }
 */
export function parseJapaneseAddress(raw: string): JapaneseAddressParts {
  let text = cleanAddressText(String(raw));
  text = text.replace(/^(〒 ?([0-9]{3} ?-? ?[0-9]{4})?|[0-9]{3}-[0-9]{4}(?![0-9-]))/, '').trimStart();
  let compact = text.replaceAll(' ', '');
  let prefecture = '';
  const pref = matchPrefecture(compact);
  if (pref) {
    prefecture = pref.prefecture;
    text = skipChars(text, pref.length);
    compact = compact.slice(pref.length);
  }
  let city = '';
  const found = matchCity(compact, prefecture);
  if (found) {
    city = found.entry.city;
    prefecture ||= found.entry.prefecture;
    text = skipChars(text, found.length);
  }
  if (city.startsWith('京都市')) text = dropKyotoStreet(text);
  return { prefecture, city, ...splitTown(dropAzaMarkers(text)) };
}

/**
 * The normal form of a Japanese address for keying (the shared-address ring,
 * measure P2: one address for many holders): every way of writing one
 * address gives one string, `<都道府県><市区町村><町字><番号>`, e.g.
 * `東京都新宿区西新宿2-8-1` from 東京都新宿区西新宿二丁目8番1号,
 * 新宿区西新宿２－８－１ or 東京都 新宿区 西新宿 2の8の1 都庁第一本庁舎.
 *
 * - 丁目・番地・番・号・の and every dash between numbers become `-`; kanji
 *   (二十三, 一〇一) and full-width numbers become digits; in the town name
 *   numerals are kanji (北1条西 → 北一条西).
 * - What follows the numbers is dropped: building name, floor, room (号室,
 *   or a fourth number of 3+ digits: 2-8-1-101). The key is the building:
 *   rooms are written in too many ways, and a ring using several rooms of
 *   one building is one address (so is a large apartment building).
 *   `keepRoom` appends `#<room>` when a room is found.
 * - A missing prefecture is filled in from the city when the city name is
 *   one city in Japan; 府中市, 伊達市 and town names used in several
 *   prefectures (森町, 池田町…) stay without it (no guess), so they key apart
 *   from the form with the prefecture. 郡 is dropped; 大字・字 markers are
 *   dropped; ヶ/ケ/が, つ/ッ, の/ノ/之 and old kanji are unified; Kyoto street
 *   directions (寺町通御池上る) before the town are dropped.
 * - Anything it cannot read keeps its cleaned text (NFKC, lower case, no
 *   spaces), so it never throws and unknown forms still key consistently.
 *
 * @example normaliseJapaneseAddress('新宿区西新宿２－８－１ ○○マンション101号室') // '東京都新宿区西新宿2-8-1'
 */
export function normaliseJapaneseAddress(raw: string, options: NormaliseAddressOptions = {}): string {
  if (options.keepRoom) return normalise(raw, true);
  // A carrier's line import repeats each holder's address on every line: remember recent answers.
  const known = RECENT.get(raw);
  if (known !== undefined) return known;
  const key = normalise(raw, false);
  if (RECENT.size >= RECENT_MAX) RECENT.clear();
  RECENT.set(raw, key);
  return key;
}

/** Recent normal forms by raw address; cleared whole when full (a bounded memo, not a store). */
const RECENT = new Map<string, string>();
const RECENT_MAX = 4096;

function normalise(raw: string, keepRoom: boolean): string {
  try {
    const parts = parseJapaneseAddress(raw);
    let key = keyOf(parts);
    if (key === '') {
      // What the parser could not read is cleaned; cleaning (spaces gone) can make it readable, and then
      // the normal form is what the parser reads of it, as it would be for the cleaned text itself.
      const cleaned = fallback(raw);
      key = keyOf(parseJapaneseAddress(cleaned));
      if (key === '') return cleaned;
    }
    // Applied until stable, as foldText is: removing spaces and punctuation from a
    // name can make a form the first pass did not see, so a key keys to itself.
    for (let i = 0; i < 4; i++) {
      const next = keyOf(parseJapaneseAddress(key));
      if (next === key || next === '') break;
      key = next;
    }
    return keepRoom && parts.room ? `${key}#${parts.room}` : key;
  } catch {
    return fallback(raw);
  }
}

function keyOf(parts: JapaneseAddressParts): string {
  return (parts.prefecture + parts.city + parts.town + parts.numbers.join('-')).normalize('NFKC');
}

/** Cleaned text (NFKC, lower case, no white space), until stable. */
function fallback(raw: unknown): string {
  try {
    let current = String(raw).toWellFormed();
    for (let i = 0; i < 4; i++) {
      const next = current.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
      if (next === current) break;
      current = next;
    }
    return current;
  } catch {
    return '';
  }
}
