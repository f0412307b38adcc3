/**
 * The recruitment-for-crimes score (犯罪実行者募集, 闇バイト; measure P7, issue 9 item 2,
 * `POST_RECRUITMENT_CRIME`): the explainable cues of {@link ./recruitment-cues.ts} plus a small
 * logistic model over the `ml` module's hashed features, trained on hand-written posts
 * (`npm run train` → src/ml/train-recruitment.ts → src/ml/models/recruitment.json).
 *
 * Combination, in points (the cues' scale): `points = cues + model`, where the model adds
 * `clamp(logit(p), 0, MODEL_MAX_POINTS)`. The cues carry the decision (they are what the police
 * describe and what an analyst can check); the model can only ADD up to 2 points, so it tips a post
 * that words the same idea differently, but never flags a text with no cue (it runs only when the
 * cues reach FLAG_POINTS − MODEL_MAX_POINTS, where it could change the outcome: ordinary messages and
 * job ads cost one regex scan) and never clears one. Measured on the held-out split, a model allowed
 * to subtract lost recall (terse posts such as
 * 「高額収入の引越しバイトの募集」 read like the ordinary moving-job ads it was trained against).
 *
 * The model is trained on ~500 texts the Mamoru developers wrote by hand: it learns their wording, not
 * the world's. Treat its probability as a hint; the cues are the rule.
 */
import { readFileSync } from 'node:fs';
import { extractFeatures, type SparseFeatures } from './features.ts';
import { LogisticModel } from './linear-model.ts';
import { type NormalisedText, normaliseText } from './normalise-text.ts';
import { matchRecruitmentCues, type RecruitmentCueMatch } from './recruitment-cues.ts';

/** Feature dimension of the recruitment model: 2^14 buckets (a small committed file). */
export const RECRUITMENT_DIMENSION = 1 << 14;
/** Seed of the split and of training. */
export const RECRUITMENT_SEED = 7;
export const RECRUITMENT_MODEL_URL = new URL('./models/recruitment.json', import.meta.url);
export const RECRUITMENT_DATA_URLS = {
  crime: new URL('./data/recruitment-crime.jsonl', import.meta.url),
  ordinary: new URL('./data/recruitment-ordinary.jsonl', import.meta.url),
} as const;

/** At most this many points from the model; it only adds (see the module comment). */
export const MODEL_MAX_POINTS = 2;
/** Points from which a text is flagged (the signal fires; warn on its own). */
export const FLAG_POINTS = 3;
/** Points from which the recruitment is certain (forced block). */
export const CERTAIN_POINTS = 6;

/**
 * Features of a normalised text for the recruitment model: character n-grams and placeholders, no
 * `Intl.Segmenter` words (they cost most of the feature time and add little on short posts).
 */
export function recruitmentFeatures(normalised: string): SparseFeatures {
  return extractFeatures(normalised, { dimension: RECRUITMENT_DIMENSION, words: false });
}

let cached: LogisticModel | undefined;

/** The committed model (read once). Throws `ModelFormatError` if the file is damaged. */
export function recruitmentModel(): LogisticModel {
  cached ??= LogisticModel.fromJSON(JSON.parse(readFileSync(RECRUITMENT_MODEL_URL, 'utf8')), {
    dimension: RECRUITMENT_DIMENSION,
  });
  return cached;
}

export interface RecruitmentScore {
  /** Cues plus model, in points. */
  readonly points: number;
  /** The cues' points alone. */
  readonly cuePoints: number;
  /** The model's probability, or undefined when it was not run (no positive cue). */
  readonly modelProbability: number | undefined;
  /** The model's points (0 when not run). */
  readonly modelPoints: number;
  readonly cues: readonly RecruitmentCueMatch[];
}

const logit = (p: number) => Math.log(Math.max(p, 1e-9) / Math.max(1 - p, 1e-9));

/**
 * Scores a text already normalised by `normaliseText` (the message channel's `ctx.state.text`).
 *
 * @example scoreRecruitment(normaliseText('ホワイト案件 荷物を運ぶだけ 日給5万円')).points // → ≥ 6
 */
export function scoreRecruitment(
  normalised: NormalisedText,
  model: LogisticModel | undefined = recruitmentModel(),
): RecruitmentScore {
  const cues = matchRecruitmentCues(normalised);
  let modelProbability: number | undefined;
  let modelPoints = 0;
  // The model only adds, at most MODEL_MAX_POINTS: below FLAG_POINTS − MODEL_MAX_POINTS it cannot
  // change the outcome, so ordinary texts (and job ads, whose details count against) skip it.
  if (cues.positive > 0 && cues.score >= FLAG_POINTS - MODEL_MAX_POINTS && model !== undefined) {
    modelProbability = model.predict(recruitmentFeatures(normalised.text));
    modelPoints = Math.max(0, Math.min(MODEL_MAX_POINTS, logit(modelProbability)));
  }
  return {
    points: cues.score + modelPoints,
    cuePoints: cues.score,
    modelProbability,
    modelPoints,
    cues: cues.matches,
  };
}

/** Convenience for scripts and tests: normalise, then score. */
export function scoreRecruitmentText(text: string, model?: LogisticModel): RecruitmentScore {
  return scoreRecruitment(normaliseText(text), model);
}
