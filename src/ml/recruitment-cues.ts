/**
 * Explainable cues of recruitment for crimes (犯罪実行者募集情報, 闇バイト; measure P7, issue 9 item 2,
 * `POST_RECRUITMENT_CRIME`).
 *
 * The police describe these posts by what they promise and what they ask (警察庁「SNSなどで求人情報を
 * 探している方へ」, 2024-10): high pay for little or vague work (高額, 即日現金), "carrying / receiving /
 * collecting" jobs (運び, 受け取り, 回収), reassurance that it is safe (ホワイト案件, リスクなし), moving the
 * talk to an encrypted app (Telegram, Signal), and photos of an ID card (used afterwards to threaten the
 * recruit and their family). Each family below is a named, documented pattern with a weight in points
 * (log-odds-like: 3 points flag a text on their own, 6 make it certain). A few families count AGAINST
 * (the details a real employer gives: hourly wage, workplace, insurance, company name; warnings about
 * 闇バイト): a moving company's ad also says 荷物を運ぶ and 日払い, but it says 時給 and 株式会社 too.
 *
 * Input: the text of `normaliseText` (NFKC, lower case, katakana folded to hiragana, so テレグラム is
 * matched as てれぐらむ; URLs, phones, amounts and codes as placeholders) and its `replacements` (the
 * amounts' values). One regular expression, compiled once, scans the text once left to right; the
 * code then looks only at its few matches. No per-call compilation; linear in the text's length.
 */
import type { NormalisedText } from './normalise-text.ts';

/** The cue families, in the order their evidence is listed. */
export const RECRUITMENT_CUE_NAMES = [
  'high_pay',
  'fast_cash',
  'vague_carry',
  'collect_money',
  'account_sale',
  'safe_claim',
  'encrypted_app',
  'id_request',
  'easy_work',
  'giveaway',
  'night_driver',
  'vague_details',
  'job_context',
  'legit_details',
  'warning_context',
] as const;
export type RecruitmentCueName = (typeof RECRUITMENT_CUE_NAMES)[number];

export interface RecruitmentCueInfo {
  /** Points this family adds when it matches (negative: counts against). */
  readonly weight: number;
  /** How many matches of the family count (each of `weight`); legit details add up, the rest count once. */
  readonly maxCount: number;
  readonly description: { readonly ja: string; readonly en: string };
}

/**
 * Each family's weight and meaning. Weights are set from the police's own description of these
 * posts, not fitted to a data set: a family the police name as a hallmark on its own (お金配ります,
 * 口座・携帯の売買) is worth 3 (flags alone); an ID-photo request 2.5 (identity checks are also
 * legitimate: with a job word it flags); pay and work cues 1–2.5, so a post needs two of them; the
 * job context (仕事, 案件, バイト) is worth 0.5 and only tips a pair over. Warnings about 闇バイト
 * quote the same words, so they count −4 each (up to two).
 */
export const RECRUITMENT_CUES = {
  high_pay: {
    weight: 2,
    maxCount: 2,
    description: {
      ja: '少ない・曖昧な仕事に高額の報酬（日給・一件 3 万円以上、月 100 万、高額・高収入）',
      en: 'high pay (≥ ¥30,000 a day or a job, ¥1M a month, "high income") for little or vague work',
    },
  },
  fast_cash: {
    weight: 1.5,
    maxCount: 1,
    description: { ja: '即日払い・即日現金・即金', en: 'paid in cash the same day' },
  },
  vague_carry: {
    weight: 2,
    maxCount: 1,
    description: {
      ja: '運び・受け取り・受け渡し・ロッカー・書類運搬・受け子・出し子などの曖昧な運搬の仕事',
      en: 'vague carrying / receiving / handing-over work (runner, pick-up, locker, documents)',
    },
  },
  collect_money: {
    weight: 2.5,
    maxCount: 1,
    description: {
      ja: '現金・カードの回収や引き出し、資金調達・取り立て、見張り',
      en: 'collecting or withdrawing cash or cards, "debt collection", lookout',
    },
  },
  account_sale: {
    weight: 3,
    maxCount: 1,
    description: {
      ja: '口座・キャッシュカード・通帳・携帯電話の売買や名義貸し',
      en: 'buying, renting or lending bank accounts, cards or phone contracts',
    },
  },
  safe_claim: {
    weight: 2,
    maxCount: 1,
    description: {
      ja: 'ホワイト案件・リスクなし・捕まらない・裏バイトなど安全を装う言葉（「闇バイトではない」も含む）',
      en: '"white job", "no risk", "won\'t get caught", "not a dark job" reassurance',
    },
  },
  encrypted_app: {
    weight: 1.5,
    maxCount: 1,
    description: {
      ja: 'テレグラム・シグナルなど秘匿性の高いアプリへの誘導',
      en: 'moving the talk to Telegram, Signal, Threema, Session or Wickr',
    },
  },
  id_request: {
    weight: 2.5,
    maxCount: 1,
    description: {
      ja: '身分証・免許証・顔写真・実家の住所などを送らせる',
      en: "asks for photos of ID, a selfie or the family's address",
    },
  },
  easy_work: {
    weight: 1,
    maxCount: 1,
    description: {
      ja: '即日・本日稼働・誰でもできる・簡単な作業・未経験 OK・面接なし',
      en: 'start today, anyone can do it, simple task, no experience, no interview',
    },
  },
  giveaway: {
    weight: 3,
    maxCount: 1,
    description: {
      ja: '「お金配ります」など現金配りで人を集める',
      en: '"money giveaway" to gather candidates',
    },
  },
  night_driver: {
    weight: 2,
    maxCount: 1,
    description: {
      ja: '深夜に人を運ぶ・送迎・運転だけの仕事',
      en: 'driving or carrying people at night, "just drive"',
    },
  },
  vague_details: {
    weight: 1,
    maxCount: 1,
    description: {
      ja: '仕事の中身を書かない（詳細は DM・内容は当日・都内某所）',
      en: 'hides what the work is (details in DM, explained on the day)',
    },
  },
  job_context: {
    weight: 0.5,
    maxCount: 1,
    description: { ja: '仕事・案件・バイト・募集の言葉', en: 'job words (job, gig, hiring)' },
  },
  legit_details: {
    weight: -1,
    maxCount: 4,
    description: {
      ja: '正規の求人の記載（時給・月給・勤務地・社会保険・会社名・面接・派遣登録など）',
      en: 'what real employers state (hourly wage, salary, workplace, insurance, company, interview)',
    },
  },
  warning_context: {
    weight: -4,
    maxCount: 2,
    description: {
      ja: '闇バイトへの注意喚起・報道・通報',
      en: 'a warning, news or report about such recruitment',
    },
  },
} as const satisfies Record<RecruitmentCueName, RecruitmentCueInfo>;

/** One matched cue, with the text it matched (on the normalised text). */
export interface RecruitmentCueMatch {
  readonly cue: RecruitmentCueName;
  readonly text: string;
}

export interface RecruitmentCueResult {
  /** Sum of the weights of the matched families (each up to its `maxCount`). */
  readonly score: number;
  /** Positive points only (what the model is gated on). */
  readonly positive: number;
  /** The high-pay-for-vague-work bonus included in `score` (0 or {@link HIGH_PAY_FOR_VAGUE_WORK_BONUS}). */
  readonly bonus: number;
  /** Matches, first of each family (legit details: up to `maxCount`), in family order. */
  readonly matches: readonly RecruitmentCueMatch[];
}

// The patterns read the normalised text: hiragana for katakana (ばいと, てれぐらむ), lower case, and the
// placeholders in upper case (<AMOUNT>).
const JOB = '(?:仕事|お仕事|案件|ばいと|求人|募集|稼働|稼げ|稼ぐ)';
// Pay words that name a per-day or per-job rate; the amount after them is checked in code.
const PAY_DAY = '(?:日給|日当|日額|報酬|一件|1件|一回|1回|一日|1日|最低|即日払い|即日現金|即金|日払い)';
const PAY_MONTH = '(?:月収|月に|月|週に|週1で)';
const PAY_HOUR = '時給';
const MONEY = '(?:<AMOUNT>|\\d+(?:\\.\\d+)?万(?:円)?|\\d+(?:\\.\\d+)?千(?:円)?)';
const APP = '(?:てれぐらむ|telegram|てれ(?=で|必須|に|へ|誘導|id)|しぐなる|threema|wickr|すりーま)';

type PatternKind = RecruitmentCueName | 'pay_day' | 'pay_month' | 'pay_hour' | 'amount' | 'moving';

/**
 * The one scanner: one capture group per pattern, tried in this order at each position. Pay patterns
 * are resolved in code (a family only when the amount is high); `moving` (引越し) is no family of its
 * own: it only joins high pay into the "high pay for vague work" bonus.
 */
const PATTERNS: readonly (readonly [PatternKind, string])[] = [
  [
    'warning_context',
    '闇ばいと(?:に|には|の(?:勧誘|募集|ニュース|講習|話|実態|手口|被害)|で逮捕|と若者)|警察(?:から|へ|に相談|相談|庁|は)|応募しないで|危険(?:な|です)|脅され|」(?:を?うたう|といった|は危険|って)|注意|気をつけ|警戒|通報|相談窓口|に相談|相談を|#9110|逮捕|詐欺|絶対やばい|ぶろっく|beware|scam|warns?\\b|warning|money laundering|police',
  ],
  ['pay_day', `${PAY_DAY}\\s?(?:最低|約)?\\s?${MONEY}`],
  ['pay_month', `${PAY_MONTH}\\s?(?:最低|約)?\\s?${MONEY}`],
  ['pay_hour', `${PAY_HOUR}\\s?${MONEY}`],
  [
    'pay_day',
    '(?:make|earn|get) <AMOUNT>|<AMOUNT>\\s?(?:/|per|a|an|each)\\s?(?:day|drop|run|trip|pickup|job|withdrawal|package)',
  ],
  [
    'high_pay',
    '報酬高め|高報酬|高額(?:案件|報酬|ばいと|あるばいと|収入|日払い|[^\\s。、]{0,4}案件)|高収入|高額|月収?\\s?[1-9]\\d{2,}万|[1-9]\\d{2,}万(?:円)?(?:以上)?稼|easy money|quick cash|fast cash|fast money|<AMOUNT>\\s?(?:/|per|a|an)\\s?(?:day|drop|run|trip|pickup|job|withdrawal|package)|\\$\\d[\\d,.]*k? (?:a|per) (?:day|run|drop)|\\d+k (?:a|per) (?:run|month)',
  ],
  [
    'fast_cash',
    '即日(?:払い|現金|即金|で|\\s?<AMOUNT>|$|\\s)|即金|当日現金|その場で|現金手渡し|same[- ]day|paid daily|instant pay|cash right after',
  ],
  [
    'account_sale',
    '(?:口座|きゃっしゅかーど|通帳|すまほ|携帯|sim(?:かーど)?)[^。\\n<]{0,8}(?:売って|売買|買取|買い取|貸して|貸し|預け|名義|契約するだけ|契約して)|名義貸し|名義人|口座を作って|(?:open|lend|rent|sell)(?:ing)? (?:us )?(?:your |a |unused )*(?:bank )?(?:accounts?|cards?)|bank accounts? in (?:their|your) name|receive funds|money mule|buy(?:ing)? gift cards',
  ],
  [
    'collect_money',
    '受け子|出し子|かけ子|たたき(?:案件|の仕事)|(?:お金|現金|かーど|きゃっしゅかーど|封筒|預かり金|金)を?(?:回収|引き出|下ろ|受け取|預か|取り返)|(?<!不用品|資源|粗大ごみ|廃品)(?:回収|取り立て|集金)(?:の|する|に行く)?(?:仕事|お仕事|業務|係|の手伝い|だけ)|atm(?:の操作|から|操作)|(?:指定|別)の口座に|資金調達(?:[。\\s]|のお手伝い)|見張り|持ち逃げ|(?:pick|collect)(?:ing)? (?:up )?(?:cash|money|the envelope)|withdraw(?:ing)? (?:cash|funds)|receiving deposits|lookout|waiting in the car',
  ],
  [
    'vague_carry',
    '運び(?:の仕事|屋|一件|1件|\\s?<AMOUNT>|$|[\\s。、])|物品運び|(?:荷物|物|現金|書類|封筒|iphone|宝飾品|お金)(?:を|の)?(?:運ぶ|運搬|受け取|受取|取り出|転送|持ち帰|持ってくる|届け)|受け取り(?:の|系|代行|だけ|のみ|業務|案件|ばいと)|受け渡し|書類運搬|荷受け代行|(?:荷物|物)(?:の|を)(?:回収|運搬)|転送(?:の(?:お)?仕事|するだけ|だけ)|(?:届いた|届く)[^。]{0,10}(?:転送|送るだけ)|(?:荷物|封筒|物)を(?:こいん)?ろっかー|ろっかー(?:に入れ|から(?:取り出|回収|荷物)|の中身)|運搬(?:業務|のみ)|(?:pick(?:ing)? up|drop(?:ping)? off|receiv(?:e|ing)|reship(?:ping)?)(?: the)? (?:packages?|parcels?|envelopes?)|reship|runner|transport agent|courier gig|drops?\\b',
  ],
  [
    'safe_claim',
    "ほわいと(?:案件|な|系|で(?!ー)|の仕事|⭐|🐳)|りすく(?:なし|は(?:ない|一切なし)|ぜろ|ゼロ|0|ほぼなし|あるけど)|捕まら|捕まった人(?:ゼロ|いない)|安全(?:な(?:仕事|案件)|に稼|案件|性は保証)|裏ばいと|闇ばいと(?:じゃ|では|とか|×)|闇じゃない|ぐれー(?:な|だ|案件|系)|身ばれなし|ばれない|警察(?:とか|に聞かれ|に止められ)|no risk|risk[- ]free|won'?t get caught|no questions asked|100% (?:safe|legal)|discreet|legit drops",
  ],
  [
    'encrypted_app',
    `${APP}|(?:signal|session) (?:me|app|only|id)|(?:on|to|via) (?:signal|session)\\b|捨て垢|捨てあど`,
  ],
  [
    'id_request',
    '(?:身分証|免許証|保険証|学生証|まいなんばーかーど|ぱすぽーと|本人確認書類)(?:の|と)?(?:写真|画像|こぴー|両面|表と裏|提出|提示で|さえ|確認のみ|のみ|必須)|(?:顔写真|自撮り)(?:を?送|と|の(?:提出|送付)|必須|を?提出)|実家の住所|親の名前|家族構成|家族の(?:住所|連絡先)|(?:photo|picture|copy|selfie)[^.]{0,20}(?:\\bid\\b|passport|licen[cs]e)|id copy',
  ],
  [
    'giveaway',
    'お金(?:を)?配り|お金配|現金(?:を)?配|お金あげ|(?:giving away|giveaway)[^.]{0,12}(?:money|cash|<AMOUNT>)|(?:money|cash|sugar daddy) giveaway|cash app flip',
  ],
  [
    'night_driver',
    '人を(?:運|乗せ|連れ)|(?:深夜|夜中|夜)(?:に|の)?[^。]{0,6}(?:送迎|運転|人を)|送迎(?:の仕事|するだけ|ドライバー[^、。]{0,6}日当)|たくしー(?:業務|みたいな)|運転(?:する)?だけ|drive people|someone with a car',
  ],
  [
    'easy_work',
    '誰でもでき|誰でもok|簡単(?:な)?(?:お?仕事|作業|軽作業)|簡単すぎ|軽作業|未経験(?:ok|歓迎|大歓迎|でも|者ok)|経験不要|本日稼働|本日中|今日(?:から|中に|動ける)|明日から|すぐ(?:稼|始め)|面接なし|履歴書不要|すまほ1台|楽して|短期間で|短期で|(?:1日|一日|1回|一回|\\d+時間|\\d+分)で|no experience|anyone can|simple task|start (?:today|immediately)|no interview',
  ],
  [
    'vague_details',
    "詳細は(?:dm|当日|後で|会って|(?=てれ|しぐなる))|詳しくは(?:dm|言えない|(?=てれ|しぐなる))|内容は(?:dm|当日|会って|秘密|言えない|簡単|(?=てれ|しぐなる))|都内某所|作業内容は当日|(?:指定|指示)(?:の|された)(?:場所|住所|家|駅)|(?<=ばいと|仕事|案件)(?:が|も)?(?:あります|あるよ|ある(?:から|人|けど)|紹介)|details in dm|dm (?:me )?for (?:details|info)|don'?t ask",
  ],
  [
    'legit_details',
    '(?:月給|年収|月収)\\s?(?:<AMOUNT>)?(?:以上|〜|~)?\\s?(?:可|も可|可能)?|時給|勤務地|勤務時間|交通費(?:支給|全額|別途|規定)|社会保険|社保|雇用保険|正社員|契約社員|しふと|週\\d日|応募(?:方法|資格|完了|は(?!dm|てれ))|面接(?!なし|不要)|株式会社|有限会社|\\(株\\)|派遣(?:会社|元|登録|の|で|すたっふ)|登録制|制服|研修|福利厚生|有給|資格(?!不要)|店長|採用(?:担当|さいと)|<AMOUNT>\\s?/\\s?(?:hr|hour)|per hour|/hour|apply (?:in|online|at|through|with)|resume|benefits|certification|employee discount',
  ],
  ['moving', '引越し|引っ越し|引越|moving'],
  ['job_context', `${JOB}|\\bjob|\\bgig|hiring|work from home`],
  ['amount', MONEY],
];

const SCANNER = new RegExp(PATTERNS.map(([, p]) => `(${p})`).join('|'), 'gu');
const GROUP_KINDS = PATTERNS.map(([k]) => k);

/** Bonus when high pay meets vague work (carrying, collecting, driving, "easy", moving): the hallmark. */
export const HIGH_PAY_FOR_VAGUE_WORK_BONUS = 1;
const VAGUE_WORK: readonly RecruitmentCueName[] = [
  'vague_carry',
  'collect_money',
  'night_driver',
  'easy_work',
];

const MAN = /(\d+(?:\.\d+)?)万/;
const SEN = /(\d+(?:\.\d+)?)千/;
const OKU = /(\d+(?:\.\d+)?)億/;
const DIGITS = /(\d+(?:\.\d+)?)/;
const AMOUNT_TOKEN = '<AMOUNT>';

/**
 * A matched money expression in yen (万 = 10,000; dollars at ¥150). `amounts` are the values of the
 * text's amount placeholders in order, `index` the first one inside `expr`. NaN when unreadable.
 */
export function moneyYen(expr: string, amounts: readonly string[], index: number): number {
  const at = expr.indexOf(AMOUNT_TOKEN);
  if (at < 0) return parseYen(expr);
  let yen = parseYen(amounts[index] ?? '');
  // 日当2万5千円 reaches us as 日当2万<AMOUNT> (the normaliser took 5千円 alone).
  const man = MAN.exec(expr.slice(0, at));
  if (man) yen += Number(man[1]) * 10_000;
  return yen;
}

function parseYen(value: string): number {
  const v = value.replace(/,/g, '');
  const usd = v.startsWith('$') || v.includes('ドル') || v.includes('usd') || v.includes('dollar');
  let yen: number;
  const oku = OKU.exec(v);
  const man = MAN.exec(v);
  if (oku) yen = Number(oku[1]) * 100_000_000;
  else if (man) {
    yen = Number(man[1]) * 10_000;
    const rest = SEN.exec(v.slice(man.index + man[0].length));
    if (rest) yen += Number(rest[1]) * 1_000;
  } else {
    const sen = SEN.exec(v);
    yen = sen ? Number(sen[1]) * 1_000 : Number(DIGITS.exec(v)?.[1] ?? Number.NaN);
  }
  return usd ? yen * 150 : yen;
}

/** Per-day or per-job pay from this much up is "high" (police examples: 日給 5 万, 一件 10 万). */
export const HIGH_PAY_PER_DAY_YEN = 30_000;
/** Per-month pay from this much up is "high" (月 100 万). */
export const HIGH_PAY_PER_MONTH_YEN = 1_000_000;
/** Hourly pay from this much up is "high" (ordinary part-time work pays ¥1,000–2,500). */
export const HIGH_PAY_PER_HOUR_YEN = 5_000;
/** A bare amount (no pay word) this large, next to job words, reads as high pay (20万~). */
const BARE_HIGH_MAX_YEN = 100_000_000;

const limitOf = {
  pay_day: HIGH_PAY_PER_DAY_YEN,
  pay_month: HIGH_PAY_PER_MONTH_YEN,
  pay_hour: HIGH_PAY_PER_HOUR_YEN,
} as const;

/**
 * Matches the cue families on a normalised text (P7).
 *
 * @example
 * matchRecruitmentCues(normaliseText('ホワイト案件 荷物を運ぶだけ 日給5万円')).matches.map((m) => m.cue)
 * // → ['high_pay', 'vague_carry', 'safe_claim', 'job_context']
 */
export function matchRecruitmentCues(normalised: NormalisedText): RecruitmentCueResult {
  const text = normalised.text;
  let amounts: string[] | undefined;
  const amountValues = (): string[] => {
    amounts ??= normalised.replacements.filter((r) => r.kind === 'amount').map((r) => r.value);
    return amounts;
  };
  const counts = new Map<RecruitmentCueName, number>();
  const found: RecruitmentCueMatch[] = [];
  const note = (cue: RecruitmentCueName, matched: string) => {
    const n = counts.get(cue) ?? 0;
    if (n >= RECRUITMENT_CUES[cue].maxCount) return;
    counts.set(cue, n + 1);
    found.push({ cue, text: matched });
  };
  // Amount placeholders seen before the current match: the index of its value in `amounts`.
  let amountIndex = 0;
  let nextToken = text.indexOf(AMOUNT_TOKEN);
  let bareHigh: string | undefined;
  let moving = false;
  const re = SCANNER;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const matched = m[0];
    while (nextToken >= 0 && nextToken < m.index) {
      amountIndex++;
      nextToken = text.indexOf(AMOUNT_TOKEN, nextToken + 1);
    }
    let kind: PatternKind | undefined;
    for (let g = 1; g < m.length; g++) {
      if (m[g] !== undefined) {
        kind = GROUP_KINDS[g - 1];
        break;
      }
    }
    if (kind === 'pay_day' || kind === 'pay_month' || kind === 'pay_hour') {
      const yen = moneyYen(matched, amountValues(), amountIndex);
      if (yen >= limitOf[kind]) note('high_pay', matched);
      else if (kind === 'pay_hour') note('legit_details', matched);
      if (matched.startsWith('即')) note('fast_cash', matched);
    } else if (kind === 'amount') {
      const yen = moneyYen(matched, amountValues(), amountIndex);
      if (bareHigh === undefined && yen >= HIGH_PAY_PER_DAY_YEN && yen < BARE_HIGH_MAX_YEN)
        bareHigh = matched;
    } else if (kind === 'moving') {
      moving = true;
    } else if (kind !== undefined) {
      note(kind, matched);
    }
    if (matched.length === 0) re.lastIndex++;
  }
  if (
    bareHigh !== undefined &&
    !counts.has('high_pay') &&
    [...counts.keys()].some((c) => RECRUITMENT_CUES[c].weight > 0)
  ) {
    // A bare amount in 万 (20万~) is pay only beside another positive cue (job words, carrying, 1日で).
    note('high_pay', bareHigh);
  }
  let score = 0;
  let positive = 0;
  for (const [cue, n] of counts) {
    const w = RECRUITMENT_CUES[cue].weight * n;
    score += w;
    if (w > 0) positive += w;
  }
  const bonus =
    counts.has('high_pay') && (moving || VAGUE_WORK.some((c) => counts.has(c)))
      ? HIGH_PAY_FOR_VAGUE_WORK_BONUS
      : 0;
  score += bonus;
  positive += bonus;
  found.sort((a, b) => ORDER[a.cue] - ORDER[b.cue]);
  return { score, positive, bonus, matches: found };
}

const ORDER = Object.fromEntries(RECRUITMENT_CUE_NAMES.map((n, i) => [n, i])) as Record<
  RecruitmentCueName,
  number
>;
