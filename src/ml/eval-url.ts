/**
 * URL evaluation (issue 9 item 2, "must show": `mamoru eval url` and `npm run eval`; I1, I3, P7).
 *
 * - `evaluateUrlFile(path)`: the URL checks alone on anyone's labelled URLs (CSV `url,label` or JSON
 *   lines `{"url","label"}`), read line by line (bounded memory). A URL is flagged when the URL part's
 *   score alone (`riskScore` of `assessUrl`, the message channel's weights) reaches the warn threshold
 *   (4), exactly what a message carrying only that URL would get from the URL signals.
 * - `npm run eval` (this file run directly): the same on the held-out split of `train-url.ts` (JPCERT
 *   months after the training cut against DMOZ and Majestic sites never trained on), plus the model's
 *   probability alone, the operating points (recall at FPR 0.1 % and 0.5 %) and µs per URL cold and
 *   warm; writes `bench/results/url-eval.json` (gitignored).
 */
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { normaliseUrl } from '../intel/normalise-url.ts';
import { type ExtractedUrl, extractUrls, isShortenerHost } from '../intel/url-extract.ts';
import { assessUrl, clearUrlRiskCache, modelLevelOf, riskScore, type UrlRisk } from '../intel/url-risk.ts';
import { type Confusion, metrics, type Scored } from './metrics.ts';
import { urlParts } from './url-model.ts';

/** The warn threshold of the message channel's default policy: the URL part alone reaching it flags. */
export const URL_WARN_SCORE = 4;
/** Rejected lines reported one by one (the rest are counted). */
export const MAX_REPORTED_REJECTS = 20;
/** Longest line read (a URL longer than this is no URL a message carries). */
const MAX_LINE = 64 * 1024;

export interface UrlEvalResult {
  counts: { n: number; fraud: number; legit: number };
  precision: number | null;
  recall: number | null;
  fpr: number | null;
  f1: number | null;
  rocAuc: number | null;
  confusion: Confusion;
  threshold: number;
  rejected: { count: number; lines: { line: number; reason: string }[] };
}

const FRAUD_LABELS = new Set(['fraud', 'phish', 'phishing', 'malicious']);
const LEGIT_LABELS = new Set(['legit', 'benign', 'legitimate']);

/** The label of a file's row, or undefined for an unknown one. */
export function parseUrlLabel(label: unknown): boolean | undefined {
  if (typeof label !== 'string') return undefined;
  const l = label.trim().toLowerCase();
  return FRAUD_LABELS.has(l) ? true : LEGIT_LABELS.has(l) ? false : undefined;
}

/**
 * The URL as the message channel would see it: through `extractUrls` (so `hxxp://x[.]com` counts as
 * hidden), else canonicalised as written. Undefined when it is no URL.
 */
export function asExtractedUrl(text: string): ExtractedUrl | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_LINE) return undefined;
  const found = extractUrls(trimmed)[0];
  if (found !== undefined) return found;
  let url: string;
  let host: string;
  try {
    url = normaliseUrl(trimmed);
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  if (host === '') return undefined;
  return {
    url,
    raw: trimmed,
    obfuscated: false,
    bare: false,
    fullWidth: false,
    index: 0,
    host,
    unicodeHost: host,
    shortener: isShortenerHost(host),
  };
}

/** Splits one CSV record of `url,label` (the URL may be quoted; the label is the last field). */
function csvFields(line: string): [string, string] | string {
  if (line.startsWith('"')) {
    let i = 1;
    let url = '';
    for (;;) {
      const q = line.indexOf('"', i);
      if (q < 0) return 'unterminated quotes';
      url += line.slice(i, q);
      if (line[q + 1] === '"') {
        url += '"';
        i = q + 2;
        continue;
      }
      if (line[q + 1] !== ',') return 'expected a comma after the quoted url';
      return [url, line.slice(q + 2)];
    }
  }
  const comma = line.lastIndexOf(',');
  if (comma < 0) return 'expected url,label';
  return [line.slice(0, comma), line.slice(comma + 1)];
}

/** Scores one URL: the URL part's score under the default weights. */
export function scoreUrl(u: ExtractedUrl): number {
  return riskScore(assessUrl(u));
}

/**
 * Evaluates the URL checks on a labelled file: CSV with a `url,label` header, or JSON lines
 * `{"url": "...", "label": "fraud"|"legit"}` (also phish/phishing/malicious and benign/legitimate).
 * Bad lines are counted and the first 20 reported with their line numbers; reading never throws on
 * content (it rejects when the file cannot be read).
 *
 * @example const r = await evaluateUrlFile('urls.csv'); r.recall; r.fpr
 */
export async function evaluateUrlFile(
  path: string,
  options: { readonly threshold?: number } = {},
): Promise<UrlEvalResult> {
  const threshold = options.threshold ?? URL_WARN_SCORE;
  const scored: Scored[] = [];
  const rejected: UrlEvalResult['rejected'] = { count: 0, lines: [] };
  const reject = (line: number, reason: string) => {
    rejected.count++;
    if (rejected.lines.length < MAX_REPORTED_REJECTS) rejected.lines.push({ line, reason });
  };
  let format: 'csv' | 'jsonl' | undefined;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of lines) {
    lineNo++;
    const line = (lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (line === '') continue;
    if (format === undefined) {
      if (line.startsWith('{')) format = 'jsonl';
      else {
        format = 'csv';
        const head = line
          .toLowerCase()
          .split(',')
          .map((s) => s.trim());
        if (head[0] !== 'url' || head[1] !== 'label' || head.length !== 2) {
          reject(lineNo, 'CSV header must be url,label / CSV の見出しは url,label です');
        }
        continue;
      }
    }
    if (line.length > MAX_LINE) {
      reject(lineNo, `line longer than ${MAX_LINE} characters`);
      continue;
    }
    let url: unknown;
    let label: unknown;
    if (format === 'jsonl') {
      try {
        const o: unknown = JSON.parse(line);
        if (typeof o !== 'object' || o === null || Array.isArray(o)) {
          reject(lineNo, 'not a JSON object');
          continue;
        }
        url = (o as Record<string, unknown>).url;
        label = (o as Record<string, unknown>).label;
      } catch {
        reject(lineNo, 'not valid JSON');
        continue;
      }
    } else {
      const fields = csvFields(line);
      if (typeof fields === 'string') {
        reject(lineNo, fields);
        continue;
      }
      [url, label] = fields;
    }
    const fraud = parseUrlLabel(label);
    if (fraud === undefined) {
      reject(lineNo, 'label must be fraud or legit');
      continue;
    }
    if (typeof url !== 'string') {
      reject(lineNo, 'url must be a string');
      continue;
    }
    const u = asExtractedUrl(url);
    if (u === undefined) {
      reject(lineNo, 'url is not a URL');
      continue;
    }
    scored.push({ p: scoreUrl(u), fraud });
  }
  const m = metrics(scored, threshold);
  return {
    counts: { n: m.n, fraud: m.fraud, legit: m.legit },
    precision: m.precision,
    recall: m.recall,
    fpr: m.fpr,
    f1: m.f1,
    rocAuc: m.rocAuc,
    confusion: m.confusion,
    threshold,
    rejected,
  };
}

/** Recall at the largest threshold whose false-positive rate is at most `fpr` (ties kept together). */
export function recallAtFpr(scored: readonly Scored[], fpr: number): { recall: number; threshold: number } {
  const legit = scored
    .filter((s) => !s.fraud)
    .map((s) => s.p)
    .sort((a, b) => b - a);
  const fraud = scored.filter((s) => s.fraud).map((s) => s.p);
  const allowed = Math.floor(fpr * legit.length);
  // Flag p > legit[allowed]: at most `allowed` legit rows lie above it.
  const bar = legit[allowed] ?? Number.NEGATIVE_INFINITY;
  const caught = fraud.filter((p) => p > bar).length;
  return { recall: fraud.length === 0 ? 0 : caught / fraud.length, threshold: bar };
}

/** The URL part's score with the popularity prior off (the model judges popular sites too). */
export function riskScoreWithoutPrior(risk: UrlRisk): number {
  return riskScore(risk.popular ? { ...risk, modelLevel: modelLevelOf(risk.p) } : risk);
}

async function main(): Promise<void> {
  const { urlDataset } = await import('./train-url.ts');
  const data = urlDataset();
  // `--split validation` measures on the validation rows (for choosing); the test split is the default.
  const split = process.argv.includes('validation') ? 'validation' : 'test';
  const urls = data[split].map((r) => ({ row: r, u: asExtractedUrl(r.url) }));
  const combined: Scored[] = [];
  const combinedNoPrior: Scored[] = [];
  const model: Scored[] = [];
  const modelNoPrior: Scored[] = [];
  const bySource: Record<string, Scored[]> = {};
  /** Phishing against the DMOZ benign URLs with a path only (the Majestic bare hosts left out). */
  const withPaths: Scored[] = [];
  const withPathsNoPrior: Scored[] = [];
  const risks: UrlRisk[] = [];
  clearUrlRiskCache();
  const t0 = performance.now();
  for (const { u } of urls) if (u !== undefined) risks.push(assessUrl(u));
  const coldUs = ((performance.now() - t0) * 1000) / risks.length;
  let idx = 0;
  let popularBenign = 0;
  let popularPhishing = 0;
  for (const { row, u } of urls) {
    if (u === undefined) continue;
    const risk = risks[idx++] as UrlRisk;
    if (risk.popular && row.fraud) popularPhishing++;
    else if (risk.popular) popularBenign++;
    const s = { p: riskScore(risk), fraud: row.fraud };
    const n = { p: riskScoreWithoutPrior(risk), fraud: row.fraud };
    combined.push(s);
    combinedNoPrior.push(n);
    model.push({ p: risk.popular ? 0 : risk.p, fraud: row.fraud });
    modelNoPrior.push({ p: risk.p, fraud: row.fraud });
    const list = bySource[row.source] ?? [];
    list.push(s);
    bySource[row.source] = list;
    if (row.fraud || (row.source === 'dmoz-benign' && urlParts(row.url).rest !== '/')) {
      withPaths.push(s);
      withPathsNoPrior.push(n);
    }
  }
  // Warm: the same URLs again, each answered from the caches (only the last 10 000 stay cached).
  const warmSample = urls.slice(-5000).flatMap((x) => (x.u ? [x.u] : []));
  for (const u of warmSample) assessUrl(u);
  const t1 = performance.now();
  for (let k = 0; k < 20; k++) for (const u of warmSample) assessUrl(u);
  const warmUs = ((performance.now() - t1) * 1000) / (20 * warmSample.length);
  const perSource = Object.fromEntries(
    Object.entries(bySource).map(([key, v]) => {
      const m = metrics(v, URL_WARN_SCORE);
      return [key, { n: m.n, recall: m.recall, fpr: m.fpr }];
    }),
  );
  const atFpr = (list: readonly Scored[]) => ({
    '0.1%': recallAtFpr(list, 0.001),
    '0.5%': recallAtFpr(list, 0.005),
  });
  const result = {
    split,
    threshold: URL_WARN_SCORE,
    data: data.report,
    combined: metrics(combined, URL_WARN_SCORE),
    combinedAtFpr: atFpr(combined),
    modelOnly: metrics(model, 0.5),
    modelAtFpr: atFpr(model),
    perSource,
    benignWithPathsFpr: metrics(withPaths, URL_WARN_SCORE).fpr,
    withPathsAtFpr: atFpr(withPaths),
    /** The same with the popularity prior off: the Majestic test hosts are in the prior's list. */
    withoutPrior: {
      combined: metrics(combinedNoPrior, URL_WARN_SCORE),
      combinedAtFpr: atFpr(combinedNoPrior),
      modelAtFpr: atFpr(modelNoPrior),
      benignWithPathsFpr: metrics(withPathsNoPrior, URL_WARN_SCORE).fpr,
      withPathsAtFpr: atFpr(withPathsNoPrior),
    },
    popularBenign,
    popularPhishing,
    microsecondsPerUrl: { cold: Number(coldUs.toFixed(2)), warm: Number(warmUs.toFixed(3)) },
  };
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(4));
  const c = result.combined;
  console.log(
    `URL checks (score ≥ ${URL_WARN_SCORE}) on ${c.n} held-out URLs (${c.fraud} phishing, ${c.legit} benign): precision ${f(c.precision)} recall ${f(c.recall)} FPR ${f(c.fpr)} F1 ${f(c.f1)} ROC-AUC ${f(c.rocAuc)}`,
  );
  console.log(
    `recall at FPR 0.1 %: ${f(result.combinedAtFpr['0.1%'].recall)} (model alone ${f(result.modelAtFpr['0.1%'].recall)}); at 0.5 %: ${f(result.combinedAtFpr['0.5%'].recall)} (model alone ${f(result.modelAtFpr['0.5%'].recall)})`,
  );
  const w = result.withoutPrior;
  console.log(
    `without the popularity prior: recall ${f(w.combined.recall)} FPR ${f(w.combined.fpr)}; recall at FPR 0.1 %: ${f(w.combinedAtFpr['0.1%'].recall)} (model alone ${f(w.modelAtFpr['0.1%'].recall)}); at 0.5 %: ${f(w.combinedAtFpr['0.5%'].recall)} (model alone ${f(w.modelAtFpr['0.5%'].recall)})`,
  );
  console.log(
    `phishing against DMOZ benign URLs with paths: FPR ${f(result.benignWithPathsFpr)} (without prior ${f(w.benignWithPathsFpr)}); recall at FPR 0.1 % ${f(result.withPathsAtFpr['0.1%'].recall)} (without prior ${f(w.withPathsAtFpr['0.1%'].recall)}), at 0.5 % ${f(result.withPathsAtFpr['0.5%'].recall)} (${f(w.withPathsAtFpr['0.5%'].recall)}); popular hosts: ${result.popularBenign} benign, ${result.popularPhishing} phishing`,
  );
  console.log(
    JSON.stringify({ confusion: c.confusion, perSource, microsecondsPerUrl: result.microsecondsPerUrl }),
  );
  const out = new URL('../../bench/results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(
    new URL(`url-eval${split === 'test' ? '' : `-${split}`}.json`, out),
    `${JSON.stringify(result, null, 2)}\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
