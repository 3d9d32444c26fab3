import leven from 'leven';
import * as z from 'zod/mini';

/** The known field a mistyped one most likely meant: the same but for case, or a few letters off. */
export const closestField = (key: string, known: readonly string[]): string | undefined => {
  const same = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (same) return same;
  const scored = known.map((k) => ({ k, d: leven(k.toLowerCase(), key.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  return scored && scored.d <= Math.max(2, Math.floor(key.length / 3)) ? scored.k : undefined;
};

const unknownFields = (keys: readonly string[], known: readonly string[]): string => {
  const hint = (key: string) => {
    const meant = closestField(key, known);
    return meant ? ` (did you mean "${meant}"?)` : '';
  };
  // One key: the path names it (see formatIssues), so the message need not.
  if (keys.length === 1) return `unknown field${hint(keys[0]!)}`;
  return `unknown fields ${keys.map((k) => `"${k}"${hint(k)}`).join(', ')}`;
};

/** A config object that refuses fields it does not know, suggesting the one meant: a typo never passes silently. */
export const strictObject = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownFields(issue.keys, Object.keys(shape)) : undefined) });
