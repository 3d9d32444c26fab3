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

/** Like Promise.allSettled over `items`, at most `limit` at a time. */
export const settleLimited = <T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> => {
  const gate = limiter(limit);
  return Promise.allSettled(items.map((item, i) => gate(() => work(item, i))));
};

/** Runs `work` on every item, at most `limit` at a time; the first failure is thrown once all have settled. */
export const eachLimited = async <T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> => {
  const failed = (await settleLimited(items, limit, work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
};
