import { defineSignals } from '../../../core/index.ts';
import type { LogisticModel } from '../../../ml/linear-model.ts';
import { RECRUITMENT_CUES } from '../../../ml/recruitment-cues.ts';
import {
  CERTAIN_POINTS,
  FLAG_POINTS,
  recruitmentModel,
  scoreRecruitment,
} from '../../../ml/recruitment-model.ts';
import type { MessagePart } from '../message-part.ts';
import type { MessageDetector } from '../message-state.ts';

/** The signal's weight: × factor 0.5 (a flag, 3 points) = 4, warn; × 1 (certain, 6 points) = 8, block. */
export const RECRUITMENT_WEIGHT = 8;

/**
 * Recruitment for crimes (犯罪実行者募集情報, 闇バイト; measure P7): `POST_RECRUITMENT_CRIME` scores
 * every flagged text (factor = points / 6, between 0.5 and 1.25); `POST_RECRUITMENT_CRIME_CERTAIN`
 * adds no score but forces `block` when the points reach {@link CERTAIN_POINTS}: a post that is
 * certainly recruiting for crimes must be taken down whatever the subscriber's strength.
 */
export const RECRUITMENT_SIGNALS = defineSignals([
  {
    name: 'POST_RECRUITMENT_CRIME',
    group: 'recruitment',
    weight: RECRUITMENT_WEIGHT,
    description: {
      ja: '犯罪実行者募集（闇バイト）の特徴（高額報酬と曖昧な運搬・受け取り、ホワイト案件、秘匿アプリへの誘導、身分証の要求など）',
      en: 'Recruitment for crimes ("yami baito"): high pay for vague carrying or receiving work, "white job", encrypted apps, ID photos',
    },
    reason: {
      ja: '犯罪実行者募集（闇バイト）の特徴: {cues}（{points} 点、モデル確率 {model}）',
      en: 'Signs of recruitment for crimes: {cues} ({points} points, model probability {model})',
    },
    customer: {
      ja: '犯罪の実行役を募る「闇バイト」の募集の疑いがあります',
      en: 'This looks like recruitment for crimes (a "dark part-time job")',
    },
  },
  {
    name: 'POST_RECRUITMENT_CRIME_CERTAIN',
    group: 'recruitment',
    weight: 0,
    forceAction: 'block',
    description: {
      ja: '犯罪実行者募集（闇バイト）の特徴が揃っている（削除・遮断）',
      en: 'Recruitment for crimes beyond doubt (take down / block)',
    },
    reason: {
      ja: '闇バイトの特徴が {points} 点（{certain} 点以上）: 削除・遮断の対象です',
      en: 'Recruitment-for-crimes signs reach {points} points (≥ {certain}): to be taken down',
    },
    customer: {
      ja: '犯罪の実行役を募る「闇バイト」の募集と判断しました',
      en: 'Judged to be recruitment for crimes (a "dark part-time job")',
    },
  },
]);

const round1 = (x: number) => Math.round(x * 10) / 10;
/** Evidence strings stay short: an analyst reads the cue names and the words matched. */
const MAX_EVIDENCE_TEXT = 40;

function loadModel(): { model: LogisticModel | undefined; problem?: string } {
  try {
    return { model: recruitmentModel() };
  } catch (e) {
    // A damaged model file turns the model off; the cues still run (and say so in the evidence).
    return { model: undefined, problem: e instanceof Error ? e.message : String(e) };
  }
}

/** The detector, for every message kind (posts, DMs, SMS, RCS: recruiters use them all). */
export function recruitmentDetector(model: LogisticModel | undefined, problem?: string): MessageDetector {
  return {
    name: 'message.recruitment',
    signals: RECRUITMENT_SIGNALS.map((s) => s.name),
    run: (_event, ctx) => {
      const s = scoreRecruitment(ctx.state.text, model);
      if (s.points < FLAG_POINTS) return [];
      const evidence = s.cues.map(
        (c) =>
          `${c.cue} (${RECRUITMENT_CUES[c.cue].weight > 0 ? '+' : ''}${RECRUITMENT_CUES[c.cue].weight}): ${c.text.slice(0, MAX_EVIDENCE_TEXT)}`,
      );
      evidence.push(
        s.modelProbability === undefined
          ? `model: ${problem === undefined ? 'not run' : `unavailable (${problem.slice(0, 80)})`}`
          : `model: p=${s.modelProbability.toFixed(3)} (+${round1(s.modelPoints)})`,
      );
      evidence.push(`points: ${round1(s.points)} (cues ${round1(s.cuePoints)})`);
      const positive = s.cues.filter((c) => RECRUITMENT_CUES[c.cue].weight > 0).map((c) => c.cue);
      const params = {
        cues: [...new Set(positive)].join(', '),
        points: round1(s.points),
        model: s.modelProbability === undefined ? '—' : s.modelProbability.toFixed(2),
        certain: CERTAIN_POINTS,
      };
      const factor = Math.min(1.25, Math.max(0.5, s.points / CERTAIN_POINTS));
      const hits = [{ signal: 'POST_RECRUITMENT_CRIME', factor, evidence, params }];
      if (s.points >= CERTAIN_POINTS) {
        hits.push({ signal: 'POST_RECRUITMENT_CRIME_CERTAIN', factor: 1, evidence, params });
      }
      return hits;
    },
  };
}

/** POST_RECRUITMENT_CRIME (P7): recruitment for crimes (闇バイト), cues plus model. */
export function recruitmentPart(): MessagePart {
  const { model, problem } = loadModel();
  return { signals: RECRUITMENT_SIGNALS, detectors: [recruitmentDetector(model, problem)] };
}
