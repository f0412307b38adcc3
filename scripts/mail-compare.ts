/**
 * Mamoru vs SpamAssassin 4.0 and rspamd 3.4 on the mail content model's held-out split (issue 11
 * item 7 and "must show"; measures E1: fraud mail caught, E4: legitimate mail not flagged).
 * Run by hand, not in CI (it starts both daemons and takes minutes):
 *
 *   node scripts/mail-compare.ts [--per-group N] [--tools mamoru,spamassassin,rspamd]
 *
 * Writes `bench/results/mail-compare.json` and prints a markdown table.
 *
 * Fairness: the same messages (`mailHeldOut()` of src/ml/mail-data.ts, each as
 * `rawMessage(row)`: SpamAssassin rows as received, Enron and hand-written rows wrapped into a
 * minimal RFC 5322 message with a neutral From), in the same order, to every tool, each offline:
 * - Mamoru: the path of `mamoru eval mail` (`evaluateMailItems`): the whole mail channel, default
 *   policy, empty database, DNS off (no SPF/DKIM/DMARC/ARC/BIMI). Flagged at ≥ warn (delivered
 *   with a warning), ≥ hold (quarantined) and block (550). CPU: `process.cpuUsage()` around each
 *   verdict.
 * - SpamAssassin 4.0 (Debian): `spamd -L` (local tests only) on 127.0.0.1 with 2 children, a
 *   private copy of /etc/spamassassin with `dns_available no`, Bayes and auto-learn off (no
 *   training data: auto-learn would learn from the test set itself), Razor/Pyzor/DCC off, no user
 *   preferences; the stock rule set shipped with the package. Messages sent with `spamc -c`
 *   (2 at a time); spam = score ≥ 5 (its default `required_score`).
 * - rspamd 3.4 (Debian): its stock configuration (`$CONFDIR/common.conf`) under a private top
 *   file: a normal worker (2 processes) and a controller on 127.0.0.1 ports of our own, DNS sent to
 *   127.0.0.1:1 (nothing there: every lookup fails at once, no map is fetched), and the modules that
 *   ask the network or the DNS turned off (rbl incl. SURBL, fuzzy_check, dcc, asn, spf, dkim, dmarc,
 *   arc, bimi, emails, rspamd_update, url_redirector, reputation, mx_check, external_services,
 *   antivirus, p0f; hfilter's DNS checks); no Redis, so no Bayes and no neural. Messages POSTed to
 *   `/checkv2` (4 at a time). Flagged at any action (action ≠ "no action") and at "reject".
 * CPU per message of the daemons: user + system time of the daemon's processes and their reaped
 * children (/proc/<pid>/stat) over the timed run, after a warm-up of 20 messages, divided by the
 * messages. The clients' own CPU (spamc, fetch) is not counted. Mamoru gets the same 20-message
 * warm-up (the JIT), then the CPU of its process around each verdict.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  evaluateMailItems,
  type MailEvalItem,
  type MailGroupMetrics,
} from '../src/channels/mail/evaluate.ts';
import { MAIL_THRESHOLDS } from '../src/channels/mail/index.ts';
import { MAIL_MODEL_URL, type MailRow, mailHeldOut, rawMessage } from '../src/ml/mail-data.ts';
import { type Confusion, rates } from '../src/ml/metrics.ts';

const { values: args } = parseArgs({
  options: {
    'per-group': { type: 'string', default: '0' },
    tools: { type: 'string', default: 'mamoru,spamassassin,rspamd' },
    out: { type: 'string', default: new URL('../bench/results/mail-compare.json', import.meta.url).pathname },
  },
});
const PER_GROUP = Number(args['per-group']);
const TOOLS = new Set(String(args.tools).split(','));
const WARM_UP = 20;
/** The thresholds of the mail channel's default policy, as the evaluation applies them. */
const DEFAULT_THRESHOLDS = MAIL_THRESHOLDS;

interface Message {
  readonly id: string;
  readonly group: string;
  readonly label: 'fraud' | 'legit';
  readonly raw: string;
}

/**
 * Waits (a second a try, up to `tries`) until a daemon answers a check of the first message, then
 * gives it the warm-up every tool gets, not counted.
 */
async function warmUp(
  name: string,
  daemon: { readonly exitCode: number | null },
  tries: number,
  log: string,
  list: readonly Message[],
  check: (raw: string) => Promise<unknown>,
): Promise<void> {
  const probe = list[0]?.raw ?? 'Subject: x\n\nx\n';
  for (let i = 0; ; i++) {
    try {
      await check(probe);
      break;
    } catch (error) {
      if (i > tries || daemon.exitCode !== null)
        throw new Error(`${name} did not start: ${error} (log: ${log})`);
      await sleep(1000);
    }
  }
  for (const m of list.slice(0, WARM_UP)) await check(m.raw).catch(() => {});
}

/** Where a row is reported: its source, the hand-written ones by language. */
function groupOf(row: MailRow): string {
  if (row.source === 'spamassassin' || row.source === 'enron') return row.source;
  return `written-${row.language}`;
}

/**
 * The held-out rows, in their order; with `--per-group N`, the first N of each source, subset and
 * label by a hash of the row id (deterministic, the same for every tool).
 */
async function messages(): Promise<Message[]> {
  const rows = await mailHeldOut();
  let chosen = rows;
  if (PER_GROUP > 0) {
    const keep = new Set<string>();
    const byKey = new Map<string, MailRow[]>();
    for (const r of rows) {
      const key = `${r.source}/${r.source === 'spamassassin' || r.source === 'enron' ? r.subset : ''}/${r.label}`;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    const h = (id: string) => createHash('sha256').update(id).digest('hex');
    for (const list of byKey.values())
      for (const r of list.sort((a, b) => (h(a.id) < h(b.id) ? -1 : 1)).slice(0, PER_GROUP)) keep.add(r.id);
    chosen = rows.filter((r) => keep.has(r.id));
  }
  return chosen.map((r) => ({ id: r.id, group: groupOf(r), label: r.label, raw: rawMessage(r) }));
}

/** Confusion matrices per group and level, for a tool that gives one answer per message. */
class Tally {
  readonly groups = new Map<string, Record<string, Confusion>>();
  add(group: string, label: 'fraud' | 'legit', flagged: Record<string, boolean>): void {
    for (const g of [group, 'overall']) {
      let levels = this.groups.get(g);
      if (levels === undefined) {
        levels = {};
        this.groups.set(g, levels);
      }
      for (const [level, f] of Object.entries(flagged)) {
        levels[level] ??= { tp: 0, fp: 0, tn: 0, fn: 0 };
        const c = levels[level];
        if (label === 'fraud') f ? c.tp++ : c.fn++;
        else f ? c.fp++ : c.tn++;
      }
    }
  }
  result(): Record<string, Record<string, LevelFigures>> {
    const out: Record<string, Record<string, LevelFigures>> = {};
    for (const [g, levels] of this.groups)
      out[g] = Object.fromEntries(Object.entries(levels).map(([l, c]) => [l, { ...rates(c), confusion: c }]));
    return out;
  }
}

interface LevelFigures {
  precision: number | null;
  recall: number | null;
  fpr: number | null;
  f1: number | null;
  confusion: Confusion;
}

interface ToolResult {
  readonly tool: string;
  readonly config: string;
  /** group (and 'overall') → level → figures. */
  readonly figures: Record<string, Record<string, LevelFigures>>;
  readonly cpuMsPerMessage: number | null;
  readonly seconds: number;
  readonly errors: number;
  /** Anything else the tool tells (Mamoru: actions per label, signals of its misses). */
  readonly details?: unknown;
}

/** CPU seconds (user + system, own and reaped children) of a process and its live descendants. */
function treeCpuSeconds(root: number): number {
  const ticks = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state (field 3); utime..cstime are fields 14..17.
      const cpu = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      stats.set(Number(name), { ppid: Number(fields[1]), cpu });
    } catch {
      // the process ended while we read
    }
  }
  let total = 0;
  const walk = (pid: number) => {
    const s = stats.get(pid);
    if (!s) return;
    total += s.cpu;
    for (const [child, c] of stats) if (c.ppid === pid) walk(child);
  };
  walk(root);
  return total / ticks;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` on every message with `concurrency` at once, in order of start. */
async function pool<T>(
  list: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) {
        const i = next++;
        if (i > 0 && i % 500 === 0) process.stderr.write(`  ${i}/${list.length}\n`);
        await work(list[i] as T);
      }
    }),
  );
}

async function runMamoru(list: readonly Message[]): Promise<ToolResult> {
  const items: MailEvalItem[] = list.map((m) => ({
    where: m.id,
    label: m.label,
    raw: m.raw,
    group: m.group,
  }));
  // The same warm-up as the daemons get (the JIT here, their rule caches there), not counted.
  await evaluateMailItems(items.slice(0, WARM_UP));
  const scores: { score: number; fraud: boolean }[] = [];
  const started = performance.now();
  const r = await evaluateMailItems(items, {
    onVerdict: (item, verdict) => scores.push({ score: verdict.score, fraud: item.label === 'fraud' }),
  });
  const figure = (g: MailGroupMetrics) => ({ warn: g.at.warn, hold: g.at.hold, block: g.at.block });
  const figures: ToolResult['figures'] = { overall: figure(r) };
  for (const [g, m] of Object.entries(r.byGroup)) figures[g] = figure(m);
  return {
    tool: 'mamoru',
    config: `whole mail channel, default policy (${Object.entries(DEFAULT_THRESHOLDS)
      .map(([a, t]) => `${a} ${t}`)
      .join(', ')}), empty database, DNS off`,
    figures,
    cpuMsPerMessage: r.throughput.cpuMsPerMessage,
    seconds: (performance.now() - started) / 1000,
    errors: r.rejected.count,
    details: { actions: r.actions, topSignals: r.topSignals, scores },
  };
}

/**
 * Mamoru with its score threshold moved until its FPR is no higher than `fpr` (flagged = verdict
 * score above the (k+1)-th highest legit score, k = ⌊fpr × legit⌋): what the same filter catches at
 * another tool's false-positive rate. A policy with that warn threshold would flag the same mail
 * (no forced action fires with DNS off).
 */
function atMatchedFpr(
  scores: readonly { score: number; fraud: boolean }[],
  fpr: number,
): LevelFigures & {
  threshold: number;
} {
  const legit = scores
    .filter((s) => !s.fraud)
    .map((s) => s.score)
    .sort((a, b) => b - a);
  const k = Math.floor(fpr * legit.length + 1e-9);
  const cut = k < legit.length ? (legit[k] as number) : Number.NEGATIVE_INFINITY;
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const s of scores) {
    const flagged = s.score > cut;
    if (s.fraud) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  return { ...rates(c), confusion: c, threshold: cut };
}

/** Daemons running, stopped on Ctrl-C too (a daemon left behind would hold its port and CPU). */
const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGTERM');
    process.exit(130);
  });
}

function spawnDaemon(command: string, argv: string[], log: string): ChildProcess {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => writeFileSync(log, out));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** `spamc -c`: resolves with the score and whether it is spam (exit 1), or throws. */
function spamc(port: number, raw: string): Promise<{ score: number; spam: boolean }> {
  return new Promise((resolve, reject) => {
    const c = spawn('spamc', ['-d', '127.0.0.1', '-p', String(port), '-c', '-x', '-s', String(10 << 20)]);
    let out = '';
    c.stdout.on('data', (d) => {
      out += d;
    });
    c.on('error', reject);
    c.on('close', (code) => {
      const m = /^(-?[\d.]+)\/([\d.]+)/.exec(out.trim());
      if ((code === 0 || code === 1) && m) resolve({ score: Number(m[1]), spam: code === 1 });
      else reject(new Error(`spamc exit ${code}: ${out.slice(0, 200)}`));
    });
    c.stdin.on('error', () => {});
    c.stdin.end(raw);
  });
}

async function runSpamAssassin(list: readonly Message[], work: string): Promise<ToolResult> {
  const site = join(work, 'sa-site');
  cpSync('/etc/spamassassin', site, { recursive: true });
  writeFileSync(
    join(site, 'local.cf'),
    `${readFileSync(join(site, 'local.cf'), 'utf8')}\n# mail-compare: offline, no learning\ndns_available no\nskip_rbl_checks 1\nuse_bayes 0\nbayes_auto_learn 0\nuse_razor2 0\nuse_pyzor 0\nuse_dcc 0\n`,
  );
  const home = join(work, 'sa-home');
  mkdirSync(home);
  if (process.getuid?.() === 0) {
    // spamd drops to nobody: it must read the site config and write its home.
    await chmod(work, 0o755);
    await chown(home, 65534, 65534);
  }
  const port = await freePort();
  const daemon = spawnDaemon(
    'spamd',
    [
      '-L',
      '-x',
      ...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []),
      '-H',
      home,
      `--siteconfigpath=${site}`,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      '2',
      '--min-children=2',
      '-s',
      'stderr',
    ],
    join(work, 'spamd.log'),
  );
  try {
    await warmUp('spamd', daemon, 120, join(work, 'spamd.log'), list, (raw) => spamc(port, raw));
    const tally = new Tally();
    let errors = 0;
    const pid = daemon.pid as number;
    const cpu0 = treeCpuSeconds(pid);
    const started = performance.now();
    await pool(list, 2, async (m) => {
      try {
        const r = await spamc(port, m.raw);
        tally.add(m.group, m.label, { spam: r.spam });
      } catch {
        errors++;
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = treeCpuSeconds(pid) - cpu0;
    return {
      tool: 'spamassassin',
      config:
        'SpamAssassin 4.0.1, spamd -L (local tests only), stock rules, dns_available no, Bayes and auto-learn off, required_score 5',
      figures: tally.result(),
      cpuMsPerMessage: (cpu * 1000) / (list.length - errors),
      seconds,
      errors,
    };
  } finally {
    await stop(daemon);
  }
}

const RSPAMD_OFF = [
  'rbl',
  'fuzzy_check',
  'dcc',
  'asn',
  'spf',
  'dkim',
  'dmarc',
  'arc',
  'bimi',
  'emails',
  'rspamd_update',
  'url_redirector',
  'reputation',
  'mx_check',
  'external_services',
  'antivirus',
  'p0f',
];

async function rspamdCheck(port: number, raw: string): Promise<{ action: string; score: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/checkv2`, {
    method: 'POST',
    body: raw,
    headers: { Rcpt: 'user@example.jp' },
  });
  if (!res.ok) throw new Error(`rspamd HTTP ${res.status}`);
  const body = (await res.json()) as { action?: unknown; score?: unknown };
  if (typeof body.action !== 'string') throw new Error('rspamd: no action');
  return { action: body.action, score: Number(body.score) };
}

async function runRspamd(list: readonly Message[], work: string): Promise<ToolResult> {
  const conf = join(work, 'rspamd');
  const local = join(conf, 'local');
  for (const d of ['local.d', 'override.d']) mkdirSync(join(local, d), { recursive: true });
  // The hyperscan cache survives between runs (compiling it takes a minute).
  const db = join(tmpdir(), 'mamoru-mail-compare-rspamd-db');
  mkdirSync(db, { recursive: true });
  mkdirSync(join(conf, 'run'));
  mkdirSync(join(conf, 'log'));
  const port = await freePort();
  const controller = await freePort();
  writeFileSync(
    join(conf, 'rspamd.conf'),
    `.include "$CONFDIR/common.conf"
options {
  pidfile = "$RUNDIR/rspamd.pid";
  .include "$CONFDIR/options.inc"
  .include(try=true; priority=10) "$LOCAL_CONFDIR/override.d/options.inc"
}
logging { type = "file"; filename = "$LOGDIR/rspamd.log"; level = "warning"; }
worker "normal" { bind_socket = "127.0.0.1:${port}"; .include "$CONFDIR/worker-normal.inc"; count = 2; }
worker "controller" { bind_socket = "127.0.0.1:${controller}"; .include "$CONFDIR/worker-controller.inc"; }
`,
  );
  writeFileSync(
    join(local, 'override.d', 'options.inc'),
    'dns { nameserver = ["127.0.0.1:1"]; timeout = 0.2s; retransmits = 1; }\n',
  );
  for (const m of RSPAMD_OFF) writeFileSync(join(local, 'local.d', `${m}.conf`), 'enabled = false;\n');
  writeFileSync(
    join(local, 'local.d', 'hfilter.conf'),
    'helo_enabled = false;\nhostname_enabled = false;\nfrom_enabled = false;\nurl_enabled = false;\n',
  );
  const root = process.getuid?.() === 0;
  if (root) {
    for (const d of [work, conf, db, join(conf, 'run'), join(conf, 'log')]) await chmod(d, 0o777);
  }
  const daemon = spawnDaemon(
    'rspamd',
    [
      '-f',
      ...(root ? ['-u', '_rspamd', '-g', '_rspamd'] : []),
      '-c',
      join(conf, 'rspamd.conf'),
      '--var',
      `LOCAL_CONFDIR=${local}`,
      '--var',
      `DBDIR=${db}`,
      '--var',
      `RUNDIR=${join(conf, 'run')}`,
      '--var',
      `LOGDIR=${join(conf, 'log')}`,
    ],
    join(work, 'rspamd.out'),
  );
  try {
    await warmUp('rspamd', daemon, 300, join(conf, 'log', 'rspamd.log'), list, (raw) =>
      rspamdCheck(port, raw),
    );
    const tally = new Tally();
    const actions: Record<string, number> = {};
    let errors = 0;
    const pid = daemon.pid as number;
    const cpu0 = treeCpuSeconds(pid);
    const started = performance.now();
    await pool(list, 4, async (m) => {
      try {
        const r = await rspamdCheck(port, m.raw);
        actions[r.action] = (actions[r.action] ?? 0) + 1;
        tally.add(m.group, m.label, { any: r.action !== 'no action', reject: r.action === 'reject' });
      } catch {
        errors++;
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = treeCpuSeconds(pid) - cpu0;
    return {
      tool: 'rspamd',
      config: `rspamd 3.4 stock rules, network and DNS modules off, no Redis (no Bayes/neural); actions ${JSON.stringify(actions)}`,
      figures: tally.result(),
      cpuMsPerMessage: (cpu * 1000) / (list.length - errors),
      seconds,
      errors,
    };
  } finally {
    await stop(daemon);
  }
}

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`;
const num = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '–' : x.toFixed(d));

/** The markdown table: one row per tool and level, overall and per group. */
function table(results: readonly ToolResult[], groups: readonly string[]): string {
  const levels: Record<string, [string, string][]> = {
    mamoru: [
      ['warn', 'Mamoru, ≥ warn (警告付き配送以上)'],
      ['hold', 'Mamoru, ≥ hold (隔離以上)'],
      ['block', 'Mamoru, block (受信拒否)'],
    ],
    spamassassin: [['spam', 'SpamAssassin 4.0, score ≥ 5']],
    rspamd: [
      ['any', 'rspamd 3.4, any action'],
      ['reject', 'rspamd 3.4, reject'],
    ],
  };
  const lines: string[] = [];
  for (const group of ['overall', ...groups]) {
    lines.push(`\n**${group}**\n`);
    lines.push('| tool and level | precision | recall | FPR | F1 | CPU ms/message |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      for (const [level, name] of levels[r.tool] ?? []) {
        const f = r.figures[group]?.[level];
        if (f === undefined) continue;
        lines.push(
          `| ${name} | ${pct(f.precision)} | ${pct(f.recall)} | ${pct(f.fpr)} | ${num(f.f1)} | ${group === 'overall' ? num(r.cpuMsPerMessage, 2) : ''} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

const list = await messages();
const counts: Record<string, { fraud: number; legit: number }> = {};
for (const m of list) {
  counts[m.group] ??= { fraud: 0, legit: 0 };
  (counts[m.group] as { fraud: number; legit: number })[m.label]++;
}
process.stderr.write(`mail-compare: ${list.length} held-out messages ${JSON.stringify(counts)}\n`);
const work = await mkdtemp(join(tmpdir(), 'mamoru-mail-compare-'));
const results: ToolResult[] = [];
try {
  if (TOOLS.has('mamoru')) {
    process.stderr.write('mail-compare: Mamoru…\n');
    results.push(await runMamoru(list));
  }
  if (TOOLS.has('spamassassin')) {
    if (!existsSync('/usr/sbin/spamd')) throw new Error('spamd not installed (Debian package spamassassin)');
    process.stderr.write('mail-compare: SpamAssassin…\n');
    results.push(await runSpamAssassin(list, work));
  }
  if (TOOLS.has('rspamd')) {
    process.stderr.write('mail-compare: rspamd…\n');
    results.push(await runRspamd(list, work));
  }
  await rm(work, { recursive: true, force: true });
} catch (error) {
  process.stderr.write(`mail-compare: failed; the daemons' logs are kept in ${work}\n`);
  throw error;
}
const groups = Object.keys(counts).sort();
let markdown = table(results, groups);
const mamoru = results.find((r) => r.tool === 'mamoru');
const matched: Record<string, unknown> = {};
if (mamoru) {
  const scores = (mamoru.details as { scores: { score: number; fraud: boolean }[] }).scores;
  const rows = [
    '| Mamoru at the FPR of | its FPR | Mamoru score above | precision | recall | FPR | F1 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results.filter((x) => x.tool !== 'mamoru')) {
    for (const [level, f] of Object.entries(r.figures.overall ?? {})) {
      if (f.fpr === null) continue;
      const m = atMatchedFpr(scores, f.fpr);
      matched[`${r.tool}.${level}`] = m;
      rows.push(
        `| ${r.tool} ${level} | ${pct(f.fpr)} | ${num(m.threshold, 2)} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.fpr)} | ${num(m.f1)} |`,
      );
    }
  }
  markdown += `\n\n**Mamoru at each other tool's false-positive rate (overall, score threshold moved)**\n\n${rows.join('\n')}`;
  delete (mamoru.details as { scores?: unknown }).scores;
}
const body = {
  at: new Date().toISOString(),
  node: process.version,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadavg: loadavg() },
  // Which content model decided (it is retrained as its data grows): the file's SHA-256.
  model: {
    file: 'src/ml/models/mail-lure.json',
    sha256: createHash('sha256').update(readFileSync(MAIL_MODEL_URL)).digest('hex'),
  },
  split: {
    what: 'mailHeldOut() of src/ml/mail-data.ts: SpamAssassin spam-2, easy-ham-2, 30 % of hard-ham-1; Enron enron5 and enron6; 25 % of the hand-written families',
    perGroup: PER_GROUP > 0 ? PER_GROUP : 'all',
    counts,
    messages: list.length,
  },
  results,
  mamoruAtMatchedFpr: matched,
  markdown,
};
mkdirSync(new URL('.', `file://${args.out}`).pathname, { recursive: true });
writeFileSync(String(args.out), `${JSON.stringify(body, null, 2)}\n`);
process.stdout.write(`${markdown}\n\nJSON: ${args.out}\n`);
