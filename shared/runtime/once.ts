/** Runs `init` on first use only, and again after a failure (a bad config is reported on every invocation). */
export const once = <T>(init: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= init().catch((err) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
};
