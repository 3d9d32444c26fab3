/** Runs `work` on every item, at most `limit` at a time. */
export const eachLimited = async <T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
};

/** Like Promise.allSettled over `items`, at most `limit` at a time. */
export const settleLimited = async <T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> => {
  const results = new Array<PromiseSettledResult<R>>(items.length);
  await eachLimited(items, limit, async (item, i) => {
    try {
      results[i] = { status: 'fulfilled', value: await work(item) };
    } catch (reason) {
      results[i] = { status: 'rejected', reason };
    }
  });
  return results;
};

/** A gate that lets at most `limit` calls run at once; the rest wait their turn, first come first served. */
export const limiter = (limit: number) => {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(call: () => Promise<T>): Promise<T> => {
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // a finishing call hands its place over
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
};
