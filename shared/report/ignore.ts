import { type IgnoreEntry, ignoreEndsAt } from './policy.js';
import type { Finding } from './report.js';

/** An entry covers a finding of its advisory (any case), in its package when it names one. */
export const ignoreCovers = (entry: IgnoreEntry, finding: Finding): boolean =>
  entry.id.toLowerCase() === finding.id.toLowerCase() && (entry.package === undefined || entry.package.toLowerCase() === finding.package.toLowerCase());

/** The entries still in force at `now`, and those past their `until`. */
export const partitionIgnores = (entries: readonly IgnoreEntry[], now: Date): { active: IgnoreEntry[]; expired: IgnoreEntry[] } => {
  const active: IgnoreEntry[] = [];
  const expired: IgnoreEntry[] = [];
  for (const entry of entries) ((ignoreEndsAt(entry.until) ?? 0) > now.getTime() ? active : expired).push(entry);
  return { active, expired };
};
