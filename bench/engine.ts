/**
 * Engine throughput in process: a synthetic channel with a 10-detector policy
 * (keyword, regex, length, URL and phone checks over an SMS), no I/O.
 */
import { z } from 'zod';
import {
  type AnyChannel,
  createEngine,
  type Detector,
  defineSignals,
  policyDocumentSchema,
} from '../src/core/index.ts';
import { type BenchResult, timeInProcess } from './report.ts';

interface Sms {
  readonly sender: string;
  readonly text: string;
}

const names = [
  'BENCH_URGENT',
  'BENCH_URL',
  'BENCH_SHORTENER',
  'BENCH_PHONE',
  'BENCH_ACCOUNT',
  'BENCH_PRIZE',
  'BENCH_LONG',
  'BENCH_INTL_SENDER',
  'BENCH_MONEY',
  'BENCH_LOGIN',
] as const;

const signals = defineSignals(
  names.map((name, i) => ({
    name,
    group: i < 5 ? 'content' : 'context',
    weight: 1 + (i % 3),
    description: { ja: `ベンチ信号 ${i}`, en: `bench signal ${i}` },
  })),
);

const checks: readonly ((s: Sms) => string | undefined)[] = [
  (s) => (/至急|緊急|重要/.test(s.text) ? 'urgent' : undefined),
  (s) => (/https?:\/\//.test(s.text) ? 'url' : undefined),
  (s) => (/bit\.ly|tinyurl/.test(s.text) ? 'shortener' : undefined),
  (s) => (/0\d{1,4}-\d{1,4}-\d{4}/.test(s.text) ? 'phone' : undefined),
  (s) => (s.text.includes('アカウント') ? 'account' : undefined),
  (s) => (s.text.includes('当選') ? 'prize' : undefined),
  (s) => (s.text.length > 120 ? 'long' : undefined),
  (s) => (s.sender.startsWith('+') && !s.sender.startsWith('+81') ? 'intl' : undefined),
  (s) => (/[0-9,]+円/.test(s.text) ? 'money' : undefined),
  (s) => (/ログイン|パスワード/.test(s.text) ? 'login' : undefined),
];

const detectors: Detector<Sms>[] = names.map((signal, i) => ({
  name: `bench.d${i}`,
  signals: [signal],
  run: (event) => {
    const evidence = checks[i]?.(event.payload);
    return evidence ? [{ signal, evidence: [evidence] }] : [];
  },
}));

const channel: AnyChannel = {
  name: 'bench',
  title: { ja: 'ベンチ', en: 'bench' },
  schema: z.object({ sender: z.string(), text: z.string() }),
  signals,
  detectors,
  extract: () => [],
  defaultPolicy: { id: 'bench.default', channel: 'bench', thresholds: { warn: 3, review: 6, block: 9 } },
  example: { sender: '+819012345678', text: 'hello' },
};

const texts = [
  '【重要】お客様のアカウントが停止されました。至急ログインして確認してください https://bit.ly/xxxx',
  '明日の会議は10時からです。よろしくお願いします。',
  '当選おめでとうございます！100,000円を受け取るには 03-1234-5678 までお電話ください',
  'Your package could not be delivered. Update your address at http://example.test/p',
];

export async function benchEngine(seconds: number): Promise<BenchResult> {
  const engine = createEngine({ channels: [channel] });
  const policy = { version: 1, document: policyDocumentSchema.parse(channel.defaultPolicy) };
  const tools = { indicator: () => undefined };
  const events = texts.map((text, i) => ({
    id: `e${i}`,
    orgId: 'bench',
    channel: 'bench',
    receivedAt: new Date().toISOString(),
    payload: { sender: i % 2 ? '+819012345678' : '+15551234567', text },
  }));
  const timed = await timeInProcess({
    seconds,
    warmUp: 20_000,
    sampleEvery: 16,
    call: (n) => engine.evaluate({ event: events[n % events.length]!, policy, tools }),
  });
  return { name: 'engine: verdicts in process (10 detectors, 1 core)', unit: 'verdicts/s', ...timed };
}
