/**
 * Messages in process (issue 9, "Must show"): verdicts per second on one core
 * of the real message channel — normalisation, URL extraction, the content
 * model, the URL checks (model, look-alikes, hosting platforms), senders,
 * call-back and recruitment cues, intel extraction — with no database: the
 * detectors that need a lookup in the channel's tables (campaigns, verified
 * senders, subscribers' settings) are turned off by the policy, so the
 * figure is the cost of reading a message, not of a round trip.
 *
 * The traffic is a fixed mix of Japanese and English, legitimate and fraud,
 * SMS and DMs, about one in two with a URL (fresh hosts as well as repeated
 * ones: the URL cache sees both).
 */
import { createMessageChannel } from '../src/channels/message/index.ts';
import { createEngine, type PolicyDocumentInput, policyDocumentSchema } from '../src/core/index.ts';
import { createExtractTools } from '../src/intel/extract-tools.ts';
import { createKeyedHasher } from '../src/intel/keyed-hash.ts';
import { unconnectedDb, unusedIntel } from '../test/helpers/stores.ts';
import { type BenchResult, timeInProcess } from './report.ts';

/** The mix: [kind, sender, text]; `{n}` becomes a number that changes per message (fresh hosts, codes). */
const MIX: readonly (readonly ['sms' | 'dm' | 'post', string, string])[] = [
  ['sms', '+819012345678', '明日の会議は10時からです。よろしくお願いします。'],
  [
    'sms',
    'SMBC',
    '【三井住友銀行】お客様の口座が一時停止されました。本人確認はこちら https://smbc-{n}.account-check.top/login',
  ],
  [
    'sms',
    '+819011112222',
    'お荷物をお届けに上がりましたが不在の為持ち帰りました。ご確認ください。 http://sagawa-{n}.duckdns.org',
  ],
  ['sms', '0120123456', '【ヤマダ電機アプリ】認証コード:{n} このコードを他人に教えないでください。'],
  [
    'sms',
    '+15551234567',
    'USPS: Your package is on hold due to an unpaid fee of $1.99. Pay now: https://usps-{n}.redelivery-help.com',
  ],
  ['sms', '+447700900123', 'Your Amazon verification code is {n}. Do not share it with anyone.'],
  ['sms', '+819055556666', '今日の夕飯どうする？カレーでいい？'],
  [
    'sms',
    '+819077778888',
    '【重要】ご利用料金の未払いがあります。本日中に 03-1234-5678 までご連絡ください。法的措置に移行します。',
  ],
  ['dm', '@recruit_{n}', '即日払い！ホワイト案件 荷物を運ぶだけ 日給5万円〜 詳細はテレグラムで'],
  [
    'post',
    '@shop_konbini',
    'コンビニスタッフ募集 時給1,200円 週2日からOK 学生歓迎 https://www.example.co.jp/recruit',
  ],
  [
    'sms',
    'Rakuten',
    '楽天カードご利用確認：不正利用の可能性があります。 https://rakuten-card.{n}.xyz/verify',
  ],
  ['sms', '+818012341234', 'Hi Mum, this is my new number, my phone broke. Can you text me on WhatsApp?'],
  ['sms', '+819012121212', '予約確認: 12月8日 15:00 さくら歯科。変更は 03-0000-0000 まで。'],
  ['sms', '+819034343434', 'https://bit.ly/3x{n} 【NTTドコモ】ご利用料金のお支払い確認が取れておりません'],
  ['dm', '@friend_a', 'この前の写真送るね！ https://photos.app.goo.gl/abc{n}'],
  ['sms', 'KDDI', 'au PAY カードのご利用明細が確定しました。詳細はアプリでご確認ください。'],
];

/** Every detector that needs an enrichment (a lookup in the channel's tables) turned off. */
function noDatabasePolicy(
  detectors: readonly { name: string; needs?: readonly string[] }[],
  base: PolicyDocumentInput,
) {
  const off = Object.fromEntries(
    detectors.filter((d) => (d.needs?.length ?? 0) > 0).map((d) => [d.name, { enabled: false }]),
  );
  return { ...base, id: 'message.bench-no-db', detectors: { ...(base.detectors ?? {}), ...off } };
}

export async function benchMessages(seconds: number): Promise<BenchResult> {
  const hasher = createKeyedHasher('bench-messages-key-0123456789abcdef');
  const channel = createMessageChannel({
    db: unconnectedDb(),
    hasher,
    decisions: { loggedEvent: async () => undefined },
    intel: unusedIntel,
  });
  const engine = createEngine({ channels: [channel] });
  const document = policyDocumentSchema.parse(noDatabasePolicy(channel.detectors, channel.defaultPolicy));
  const policy = { version: 1, document };
  const tools = createExtractTools(hasher);
  const receivedAt = new Date().toISOString();
  const eventOf = (n: number) => {
    const [kind, sender, text] = MIX[n % MIX.length]!;
    // A new number every 64 messages: hosts repeat (as campaigns do) and fresh ones keep coming.
    const fresh = String(Math.floor(n / 64) % 100_000);
    return {
      id: `e${n}`,
      orgId: 'bench',
      channel: 'message',
      receivedAt,
      payload: channel.schema.parse({
        kind,
        sender: sender.replace('{n}', fresh),
        text: text.replaceAll('{n}', fresh),
      }),
    };
  };
  // Payloads are made before timing: parsing the request is the HTTP bench's business.
  const events = Array.from({ length: 64 * MIX.length }, (_, i) => eventOf(i));
  const actions: Record<string, number> = {};
  const timed = await timeInProcess({
    seconds,
    warmUp: 20_000,
    // One in 17, not 16: the mix has 16 texts, so every 16th message would always be the first text.
    sampleEvery: 17,
    call: (n) => engine.evaluate({ event: events[n % events.length]!, policy, tools }),
    sampled: (verdict) => {
      actions[verdict.action] = (actions[verdict.action] ?? 0) + 1;
    },
  });
  const off = Object.keys(document.detectors).join(', ') || 'none';
  return {
    name: 'messages: verdicts in process (message channel, model + URL checks, no database, 1 core)',
    unit: 'verdicts/s',
    ...timed,
    note: `${MIX.length} texts (ja/en, legit/fraud), ${channel.detectors.length} detectors; off (need the database): ${off}; sampled actions ${JSON.stringify(actions)}`,
  };
}
