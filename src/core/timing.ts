/** Timing helpers shared by the engine's stages and enrichments: no imports, so nothing circles through them. */

export const TIMEOUT = Symbol('timeout');

/** Milliseconds rounded to the microsecond. */
export const ms = (n: number) => Math.round(n * 1000) / 1000;

/** Wait for `promise` at most `budget` ms; TIMEOUT when the budget runs out first. */
export function awaitWithin<T>(promise: PromiseLike<T>, budget: number): Promise<T | typeof TIMEOUT> {
  const settled = Promise.resolve(promise);
  if (!(budget > 0)) {
    // Already past its budget (it ran synchronously before returning the promise).
    settled.catch(() => {});
    return Promise.resolve(TIMEOUT);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(resolve, budget, TIMEOUT);
  });
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}
