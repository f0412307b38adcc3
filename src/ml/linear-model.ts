/**
 * Logistic regression over hashed sparse features (issue 9, item 1: the `ml`
 * module that message screening (I1, I3, P7) and later mail and web screening
 * reuse).
 *
 * Features are `index → value` maps whose indices a feature hasher already
 * folded into `[0, dimension)`. Training is AdaGrad SGD with L2, seeded and
 * deterministic: the same examples, options and seed give bit-identical
 * weights, so a committed model file can be rebuilt and diffed.
 *
 * Written here rather than taken from a library: the model is ~40 lines of
 * arithmetic, and the npm options (ml-logistic-regression and the like) are
 * dense-matrix, unseeded or pull native/WASM tensor back ends; we need sparse
 * hashed inputs, a seed, per-feature contributions for evidence and a small
 * committed JSON file that `npm start` reads with no data present.
 *
 * @example
 * const model = trainLogistic(examples, { dimension: 1 << 18, seed: 7 });
 * model.predict(new Map([[12, 1], [99, 1]])); // → 0.93
 * const file = JSON.stringify(model.toJSON());
 * LogisticModel.fromJSON(JSON.parse(file), { dimension: 1 << 18 });
 */

/** Hashed sparse features: index in `[0, dimension)` → value. */
export type SparseFeatures = ReadonlyMap<number, number>;

export interface TrainingExample {
  readonly features: SparseFeatures;
  /** 1 = fraud, 0 = legitimate. */
  readonly label: 0 | 1;
}

export interface TrainOptions {
  /** Number of hash buckets; every feature index must be below it. */
  readonly dimension: number;
  readonly seed: number;
  /** Passes over the data, each in a fresh seeded order. Default 8. */
  readonly epochs?: number;
  /** AdaGrad base step. Default 0.1. */
  readonly learningRate?: number;
  /** L2 penalty per update on the weights an example touches. Default 1e-6. */
  readonly l2?: number;
  /** Loss weight of a positive example (class imbalance). Default 1. */
  readonly positiveWeight?: number;
}

/** One feature's share of a score, for evidence. */
export interface FeatureContribution {
  readonly index: number;
  readonly value: number;
  readonly weight: number;
  /** `weight × value`: what it added to the log-odds. */
  readonly contribution: number;
}

/** Serialised model: only non-zero weights, rounded, indices ascending. */
export interface LinearModelJson {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly dimension: number;
  readonly bias: number;
  readonly indices: readonly number[];
  readonly weights: readonly number[];
  /** Free description: features used, data, date, metrics. */
  readonly meta?: Readonly<Record<string, string | number>>;
}

export const MODEL_FORMAT = 'mamoru-linear-model';
export const MODEL_VERSION = 1;
/** Decimals kept in a model file: 1e-6 is far below any weight that matters. */
export const WEIGHT_DECIMALS = 6;
/** Largest dimension accepted (2^24 buckets = 128 MiB of Float64). */
export const MAX_DIMENSION = 1 << 24;

/** A model file that cannot be used: the message says what is wrong. */
export class ModelFormatError extends Error {
  readonly code = 'ML_MODEL_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/**
 * mulberry32, a 32-bit seeded PRNG. Written here because `Math.random` cannot
 * be seeded and training must be reproducible; mulberry32 is a few lines, has
 * a full 2^32 period over its state and is plenty for shuffling examples (no
 * cryptographic use). Returns floats in `[0, 1)`.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new ModelFormatError(
      `次元 (dimension) は 1 以上 ${MAX_DIMENSION} 以下の整数でなければなりません: ${dimension} / dimension must be an integer in [1, ${MAX_DIMENSION}]`,
    );
  }
}

function outOfRange(index: number, dimension: number): RangeError {
  return new RangeError(
    `特徴量の番号 ${index} がモデルの次元 ${dimension} の範囲外です / feature index ${index} is outside the model's dimension ${dimension}`,
  );
}

export class LogisticModel {
  readonly dimension: number;
  readonly #weights: Float64Array;
  readonly #bias: number;
  readonly #meta: Readonly<Record<string, string | number>> | undefined;

  constructor(
    dimension: number,
    weights?: Float64Array,
    bias = 0,
    meta?: Readonly<Record<string, string | number>>,
  ) {
    checkDimension(dimension);
    if (weights !== undefined && weights.length !== dimension) {
      throw new ModelFormatError(
        `重みの数 ${weights.length} が次元 ${dimension} と一致しません / ${weights.length} weights for dimension ${dimension}`,
      );
    }
    this.dimension = dimension;
    this.#weights = weights ?? new Float64Array(dimension);
    this.#bias = bias;
    this.#meta = meta === undefined ? undefined : Object.freeze({ ...meta });
  }

  get bias(): number {
    return this.#bias;
  }

  /** A copy of the weights (the model itself is not changed through it). */
  weights(): Float64Array {
    return this.#weights.slice();
  }

  /** Log-odds of fraud. Throws RangeError on an index outside the dimension. */
  score(features: SparseFeatures): number {
    const w = this.#weights;
    let z = this.#bias;
    for (const [i, v] of features) {
      const wi = w[i];
      if (wi === undefined || !Number.isInteger(i)) throw outOfRange(i, this.dimension);
      z += wi * v;
    }
    return z;
  }

  /**
   * Log-odds of fraud from bucket indices `indices[0, length)` (a repeated index counts once per
   * occurrence, as a count feature): the allocation-free path of the detectors. An index outside
   * the dimension reads as weight 0 here (the feature hasher masks every index into range).
   */
  scoreIndices(indices: Int32Array, length: number): number {
    const w = this.#weights;
    let z = this.#bias;
    for (let k = 0; k < length; k++) z += w[indices[k] as number] ?? 0;
    return z;
  }

  /** Weight of one bucket (0 outside the dimension). */
  weightAt(index: number): number {
    return this.#weights[index] ?? 0;
  }

  /** Probability of fraud in `[0, 1]`. */
  predict(features: SparseFeatures): number {
    return sigmoid(this.score(features));
  }

  /**
   * The `n` features that added most to the log-odds (largest contribution
   * first; ties by index, so evidence is stable). Only features pushing
   * towards fraud (contribution > 0) are returned: they are the evidence a
   * warning can show.
   */
  topFeatures(features: SparseFeatures, n: number): FeatureContribution[] {
    const out: FeatureContribution[] = [];
    for (const [index, value] of features) {
      const weight = this.#weights[index];
      if (weight === undefined || !Number.isInteger(index)) throw outOfRange(index, this.dimension);
      const contribution = weight * value;
      if (contribution > 0) out.push({ index, value, weight, contribution });
    }
    out.sort((a, b) => b.contribution - a.contribution || a.index - b.index);
    return out.slice(0, Math.max(0, n));
  }

  /** Compact, versioned form: non-zero weights only, rounded to 6 decimals. */
  toJSON(): LinearModelJson {
    const indices: number[] = [];
    const weights: number[] = [];
    const w = this.#weights;
    for (let i = 0; i < w.length; i++) {
      const r = round(w[i] as number);
      if (r !== 0) {
        indices.push(i);
        weights.push(r);
      }
    }
    return {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      dimension: this.dimension,
      bias: round(this.#bias),
      indices,
      weights,
      ...(this.#meta === undefined ? {} : { meta: this.#meta }),
    };
  }

  /**
   * Loads a model file. `expected.dimension` is the dimension the caller's
   * feature hasher produces: a model trained for another dimension would read
   * the wrong weights silently, so a mismatch is refused.
   */
  static fromJSON(json: unknown, expected?: { readonly dimension?: number }): LogisticModel {
    const bad = (ja: string, en: string) => new ModelFormatError(`モデルファイル: ${ja} / model file: ${en}`);
    if (typeof json !== 'object' || json === null) throw bad('オブジェクトではありません', 'not an object');
    const o = json as Record<string, unknown>;
    if (o.format !== MODEL_FORMAT) throw bad('format が違います', `format is not ${MODEL_FORMAT}`);
    if (o.version !== MODEL_VERSION) {
      throw bad(`未対応の version: ${String(o.version)}`, `unsupported version ${String(o.version)}`);
    }
    const dimension = o.dimension;
    if (typeof dimension !== 'number') throw bad('dimension がありません', 'dimension is missing');
    checkDimension(dimension);
    if (expected?.dimension !== undefined && expected.dimension !== dimension) {
      throw bad(
        `次元 ${dimension} が特徴量の次元 ${expected.dimension} と一致しません`,
        `dimension ${dimension} does not match the features' dimension ${expected.dimension}`,
      );
    }
    const bias = o.bias;
    if (typeof bias !== 'number' || !Number.isFinite(bias))
      throw bad('bias が不正です', 'bias is not a finite number');
    const { indices, weights } = o;
    if (!Array.isArray(indices) || !Array.isArray(weights) || indices.length !== weights.length) {
      throw bad(
        'indices と weights は同じ長さの配列です',
        'indices and weights must be arrays of equal length',
      );
    }
    const w = new Float64Array(dimension);
    let previous = -1;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const v = weights[k];
      if (typeof i !== 'number' || !Number.isInteger(i) || i <= previous || i >= dimension) {
        throw bad(
          `indices[${k}] は昇順で次元未満の整数です`,
          `indices[${k}] must be an ascending integer below the dimension`,
        );
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw bad(`weights[${k}] が有限の数ではありません`, `weights[${k}] is not a finite number`);
      }
      w[i] = v;
      previous = i;
    }
    let meta: Record<string, string | number> | undefined;
    if (o.meta !== undefined) {
      if (typeof o.meta !== 'object' || o.meta === null || Array.isArray(o.meta)) {
        throw bad('meta はオブジェクトです', 'meta must be an object');
      }
      meta = {};
      for (const [k, v] of Object.entries(o.meta)) {
        if (typeof v !== 'string' && typeof v !== 'number') {
          throw bad(`meta.${k} は文字列か数です`, `meta.${k} must be a string or a number`);
        }
        meta[k] = v;
      }
    }
    return new LogisticModel(dimension, w, bias, meta);
  }

  get meta(): Readonly<Record<string, string | number>> | undefined {
    return this.#meta;
  }
}

function round(x: number): number {
  const f = 10 ** WEIGHT_DECIMALS;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0 in files
}

/**
 * Trains a logistic model. Each epoch visits the examples in a Fisher–Yates
 * order drawn from `mulberry32(seed)`, so the result depends only on the
 * inputs and the seed.
 */
export function trainLogistic(
  examples: readonly TrainingExample[],
  options: TrainOptions,
  meta?: Readonly<Record<string, string | number>>,
): LogisticModel {
  const { dimension, seed } = options;
  const epochs = options.epochs ?? 8;
  const lr = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 1e-6;
  const positiveWeight = options.positiveWeight ?? 1;
  checkDimension(dimension);
  for (const e of examples) {
    for (const i of e.features.keys()) {
      if (!Number.isInteger(i) || i < 0 || i >= dimension) throw outOfRange(i, dimension);
    }
  }
  const w = new Float64Array(dimension);
  let bias = 0;
  let g2Bias = 0;
  const g2 = new Float64Array(dimension);
  const random = mulberry32(seed);
  const order = examples.map((_, k) => k);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      const t = order[k] as number;
      order[k] = order[j] as number;
      order[j] = t;
    }
    for (const k of order) {
      const e = examples[k] as TrainingExample;
      let z = bias;
      for (const [i, v] of e.features) z += (w[i] as number) * v;
      const g = (sigmoid(z) - e.label) * (e.label === 1 ? positiveWeight : 1);
      for (const [i, v] of e.features) {
        // L2 only on the weights an example touches ("lazy" sparse L2):
        // decaying every weight at every step would cost O(dimension).
        const gi = g * v + l2 * (w[i] as number);
        const acc = (g2[i] as number) + gi * gi;
        g2[i] = acc;
        if (acc > 0) w[i] = (w[i] as number) - (lr * gi) / Math.sqrt(acc);
      }
      g2Bias += g * g;
      if (g2Bias > 0) bias -= (lr * g) / Math.sqrt(g2Bias);
    }
  }
  const model = new LogisticModel(dimension, w, bias, meta);
  return model;
}
