/** A route pattern: `*` matches any run of characters, `/` included; everything else is literal. */
export const globToRegExp = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

export const globMatches = (pattern: string, value: string): boolean => globToRegExp(pattern).test(value);
