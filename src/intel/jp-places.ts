import { JP_MUNICIPALITIES } from './address-data/jp-municipalities.ts';
import { cleanAddressText } from './address-text.ts';

// Prefectures and municipalities at the start of an address, from the committed list (address-data/).

/** A municipality (市区町村) as the address key names it. */
export interface CityEntry {
  readonly prefecture: string;
  readonly city: string;
}
interface Places {
  readonly prefectures: readonly string[];
  /** Written form of a city (with and without 郡; a designated city alone) → the cities it names. */
  readonly cities: ReadonlyMap<string, readonly CityEntry[]>;
  readonly longest: number;
}
let places: Places | undefined;

/** The municipality index, built on first use (importing this module does no work). */
function placesIndex(): Places {
  if (places) return places;
  const cities = new Map<string, CityEntry[]>();
  const add = (written: string, entry: CityEntry) => {
    const list = cities.get(written) ?? [];
    if (!list.some((e) => e.prefecture === entry.prefecture && e.city === entry.city)) list.push(entry);
    cities.set(written, list);
  };
  for (const [prefecture, names] of JP_MUNICIPALITIES) {
    const all = names.split(' ').map(cleanAddressText);
    const bare = all.map((n) => /^.+?郡(.+[町村])$/.exec(n)?.[1] ?? n);
    all.forEach((name, i) => {
      const short = bare[i] ?? name;
      // A town keyed without its 郡, unless two towns of the prefecture share the name.
      const city = bare.indexOf(short) === bare.lastIndexOf(short) ? short : name;
      add(name, { prefecture, city });
      add(city, { prefecture, city });
      const designated = /^(.+?市).+区$/.exec(name)?.[1];
      if (designated) add(designated, { prefecture, city: designated });
    });
  }
  const longest = Math.max(...[...cities.keys()].map((k) => k.length));
  places = { prefectures: JP_MUNICIPALITIES.map(([p]) => p), cities, longest };
  return places;
}

/** The longest city written at the start of `compact`, in `prefecture` when given. */
export function matchCity(
  compact: string,
  prefecture: string,
): { readonly entry: CityEntry; readonly length: number } | undefined {
  const { cities, longest } = placesIndex();
  for (let length = Math.min(longest, compact.length); length > 0; length--) {
    const entries = cities.get(compact.slice(0, length));
    if (!entries) continue;
    if (prefecture) {
      const entry = entries.find((e) => e.prefecture === prefecture);
      if (entry) return { entry, length };
      continue;
    }
    // Written without its prefecture: inferred only when the name is one city (府中市 and 伊達市 are two).
    const first = entries[0];
    if (!first) continue;
    if (entries.length === 1) return { entry: first, length };
    const same = entries.every((e) => e.city === first.city);
    return { entry: { prefecture: '', city: same ? first.city : compact.slice(0, length) }, length };
  }
  return undefined;
}

/** The prefecture at the start of `compact` (after an optional 日本), in full or, before one of its cities, without 都・府・県. */
export function matchPrefecture(
  compact: string,
): { readonly prefecture: string; readonly length: number } | undefined {
  const country = /^日本国?/.exec(compact)?.[0].length ?? 0;
  const s = compact.slice(country);
  for (const prefecture of placesIndex().prefectures) {
    if (s.startsWith(prefecture)) return { prefecture, length: country + prefecture.length };
  }
  for (const prefecture of placesIndex().prefectures) {
    const short = prefecture.replace(/[都府県]$/, '');
    if (short !== prefecture && s.startsWith(short) && matchCity(s.slice(short.length), prefecture))
      return { prefecture, length: country + short.length };
  }
  return undefined;
}
