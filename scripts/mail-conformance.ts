/**
 * Prints the mail-authentication conformance counts (issue 11 item 6; measures E2, E3) as a
 * table and as JSON: runs `test/mail-conformance/` with vitest's JSON reporter and counts, per
 * suite and run (each `describe`), the cases that pass, the known failures (tests named
 * `[known failure] …`, run as `it.fails`), the unexpected failures and the skipped ones.
 *
 * Usage: `node scripts/mail-conformance.ts [--json-only]`. Exits 1 when a case failed
 * unexpectedly. docs/mail-conformance.md has the table and explains every known failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNOWN_FAILURE_MARK } from '../test/mail-conformance/suite.ts';

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: string;
}
interface VitestJson {
  testResults: { name: string; assertionResults: AssertionResult[] }[];
}

export interface SuiteCount {
  suite: string;
  passed: number;
  knownFailures: number;
  unexpected: number;
  skipped: number;
  total: number;
}

/** Counts vitest JSON results per describe block, in the order they appear. */
export function countResults(report: VitestJson): SuiteCount[] {
  const counts = new Map<string, SuiteCount>();
  for (const file of report.testResults) {
    const fileName =
      file.name
        .split('/')
        .pop()
        ?.replace(/\.test\.ts$/, '') ?? file.name;
    if (fileName === 'parsers' || fileName === 'count') continue; // the loaders' and this script's tests
    for (const a of file.assertionResults) {
      const suite = a.ancestorTitles[0] ?? fileName;
      const c = counts.get(suite) ?? {
        suite,
        passed: 0,
        knownFailures: 0,
        unexpected: 0,
        skipped: 0,
        total: 0,
      };
      c.total++;
      const known = a.title.startsWith(KNOWN_FAILURE_MARK);
      if (a.status === 'passed') {
        if (known) c.knownFailures++;
        else c.passed++;
      } else if (a.status === 'failed') c.unexpected++;
      else c.skipped++;
      counts.set(suite, c);
    }
  }
  return [...counts.values()];
}

function table(rows: SuiteCount[]): string {
  const head = ['suite / run', 'passed', 'known failures', 'unexpected', 'skipped', 'total'];
  const body = rows.map((r) => [
    r.suite,
    String(r.passed),
    String(r.knownFailures),
    String(r.unexpected),
    String(r.skipped),
    String(r.total),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (import.meta.main) {
  const dir = mkdtempSync(join(tmpdir(), 'mail-conformance-'));
  const out = join(dir, 'report.json');
  try {
    spawnSync(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        'test/mail-conformance',
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const rows = countResults(JSON.parse(readFileSync(out, 'utf8')) as VitestJson);
    if (!process.argv.includes('--json-only')) console.log(`${table(rows)}\n`);
    console.log(JSON.stringify(rows, null, 2));
    if (rows.some((r) => r.unexpected > 0)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
