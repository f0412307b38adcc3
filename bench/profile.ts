/**
 * Where a server's CPU goes (issue 8, item 10): a V8 CPU profile
 * (`node --cpu-prof`) of the server under load, each sample put in one phase
 * of a request by the frames on its stack. The first rule, in the order of
 * `PHASES`, that matches any frame of the stack names the sample's phase, so
 * the SHA-256 under the decision log counts as hashing and the canonical JSON
 * under it as serialisation, not as database.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Frame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: Frame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A phase and the frames that put a sample in it. */
interface Phase {
  readonly name: string;
  readonly match: (f: Frame) => boolean;
}

const inFile = (path: string) => (f: Frame) => f.url.includes(path);
const fn = (name: string, path: string) => (f: Frame) => f.functionName === name && f.url.includes(path);
const any =
  (...tests: ((f: Frame) => boolean)[]) =>
  (f: Frame) =>
    tests.some((t) => t(f));

/** Phases of a request, most specific first. */
export const PHASES: readonly Phase[] = [
  { name: 'garbage collection', match: (f) => f.functionName === '(garbage collector)' },
  {
    name: 'auth (API key, rate limit)',
    match: any(
      inFile('src/store/api-key-repo.ts'),
      inFile('src/server/client-address.ts'),
      fn('authenticate', 'src/server/'),
    ),
  },
  {
    name: 'hashing (decision chain SHA-256)',
    match: any(inFile('src/store/decision-hash.ts'), inFile('node:internal/crypto/hash')),
  },
  {
    name: 'serialisation (canonical JSON, response JSON)',
    match: any(
      inFile('src/store/canonical-json.ts'),
      inFile('src/store/json-text.ts'),
      fn('serialize', 'fastify/lib/reply.js'),
    ),
  },
  {
    name: 'database (driver, decision log writes)',
    match: any(
      inFile('node_modules/pg'),
      inFile('node_modules/kysely'),
      inFile('node_modules/@electric-sql'),
      inFile('src/store/'),
      (f) => f.url.startsWith('wasm://'),
    ),
  },
  {
    name: 'engine (extraction, intel lookup, detectors, explain)',
    match: any(inFile('src/core/'), inFile('src/intel/'), inFile('src/channels/')),
  },
  {
    name: 'validation (body parse, zod)',
    match: any(
      inFile('node_modules/zod'),
      inFile('fastify-type-provider-zod'),
      inFile('secure-json-parse'),
      inFile('fastify/lib/content-type-parser.js'),
    ),
  },
  {
    name: 'metrics and logging',
    match: any(inFile('prom-client'), inFile('pino'), inFile('src/metrics.ts')),
  },
  {
    name: 'screen flow (policy, ids, cases, route)',
    match: any(inFile('src/mamoru.ts'), inFile('src/server/routes/'), inFile('src/cases/')),
  },
  {
    name: 'response (reply, socket writes)',
    match: any(
      inFile('fastify/lib/reply.js'),
      inFile('node:_http_outgoing'),
      inFile('node:internal/streams/writable'),
      (f) => f.url === 'node:net' && f.functionName.includes('write'),
      (f) =>
        f.functionName === 'writev' ||
        f.functionName === 'writeUtf8String' ||
        f.functionName === 'writeBuffer',
    ),
  },
  {
    name: 'HTTP (parser, routing, hooks)',
    match: any(inFile('node_modules/fastify'), inFile('find-my-way'), inFile('node:_http'), inFile('avvio')),
  },
];

const OTHER = 'other (event loop, promises, Node internals)';
const IDLE = new Set(['(idle)', '(program)']);

/** Microseconds of samples by phase (idle left out), over the profiles in `dir`. */
export async function phasesOf(dir: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.cpuprofile')) continue;
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    for (const [phase, us] of phasesOfProfile(profile)) totals.set(phase, (totals.get(phase) ?? 0) + us);
  }
  return totals;
}

function phasesOfProfile(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The phase of each node, from the frames on its stack.
  const phaseOf = new Map<number, string | undefined>();
  const resolve = (id: number): string | undefined => {
    if (phaseOf.has(id)) return phaseOf.get(id);
    const stack: Frame[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x))
      stack.push(byId.get(x)!.callFrame);
    let phase: string | undefined;
    // Idle time, and the profiler's own start and stop, are no request's.
    if (IDLE.has(stack[0]!.functionName) || stack.some((f) => f.url === 'node:inspector')) phase = undefined;
    else phase = PHASES.find((p) => stack.some((f) => p.match(f)))?.name ?? OTHER;
    phaseOf.set(id, phase);
    return phase;
  };
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const phase = resolve(id);
    if (phase !== undefined) out.set(phase, (out.get(phase) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return out;
}

/**
 * The phases as shares of the server's CPU, and as microseconds per verdict
 * given the CPU per verdict measured without the profiler.
 */
export function phaseTable(phases: Map<string, number>, cpuPerVerdictUs: number | undefined): PhaseShare[] {
  const total = [...phases.values()].reduce((a, b) => a + b, 0) || 1;
  return [...PHASES.map((p) => p.name), OTHER]
    .map((name) => {
      const share = (phases.get(name) ?? 0) / total;
      return {
        phase: name,
        share,
        ...(cpuPerVerdictUs === undefined ? {} : { usPerVerdict: share * cpuPerVerdictUs }),
      };
    })
    .filter((p) => p.share > 0);
}

export interface PhaseShare {
  readonly phase: string;
  readonly share: number;
  readonly usPerVerdict?: number;
}
