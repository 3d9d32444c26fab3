import * as z from 'zod/mini';
import { ConfigError } from './configError.js';
import { formatIssues } from './zodIssues.js';

interface Plugin {
  type: string;
  configSchema: z.ZodMiniType;
}

/** The config schema of a plugin family: a union discriminated by `type`, with an error that lists the known types. */
const pluginConfigUnion = (family: string, plugins: readonly Plugin[]) =>
  z.discriminatedUnion('type', plugins.map((p) => p.configSchema) as unknown as [z.ZodMiniObject<{ type: z.ZodMiniLiteral<string> }>], {
    error: (issue) => (issue.code === 'invalid_union' ? `unknown ${family} type; expected one of ${plugins.map((p) => `"${p.type}"`).join(', ')}` : undefined),
  });

type EntriesKey = 'scanners' | 'channels';
type WithEntries = Record<EntriesKey, Record<string, unknown>>;

/** Each entry of one plugin family in the config checked against the family's schema: the good ones parsed, the others' problems by name. */
const checkEntries = <C extends WithEntries>(config: C, key: EntriesKey, schema: z.ZodMiniType) => {
  const problems: Record<string, string> = {};
  const parsed: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(config[key])) {
    const result = schema.safeParse(entry);
    if (result.success) parsed[name] = result.data;
    else problems[name] = formatIssues(result.error, [key, name]);
  }
  return { config: { ...config, [key]: parsed } as C, problems };
};

/**
 * What a family's list of plugins gives: the plugins by type, the schema of its config entries, a lookup by type, and (for the
 * families with entries of their own in the config) the check of those entries.
 */
export const pluginFamily = <P extends Plugin>(family: string, list: readonly P[], key?: EntriesKey) => {
  const plugins: Record<string, P> = Object.fromEntries(list.map((p) => [p.type, p]));
  const configSchema = pluginConfigUnion(family, list);
  return {
    /** Every plugin of the family, by type. */
    plugins,
    configSchema,
    plugin: (type: string): P => {
      const plugin = Object.hasOwn(plugins, type) ? plugins[type] : undefined;
      if (!plugin) throw new Error(`unknown ${family} type "${type}"`);
      return plugin;
    },
    /**
     * The config with the family's entries checked. A function keeps running with the good ones: a job that needs a
     * broken entry fails with its problem (a failure notice and a dead letter), and no other job is held up.
     */
    checkEntries: <C extends WithEntries>(config: C) => (key ? checkEntries(config, key, configSchema) : { config, problems: {} as Record<string, string> }),
    /** The config with the family's entries checked, every problem in one error: what `npm start` and the tests want up front. */
    validate: <C extends WithEntries>(config: C): C => {
      const checked = key ? checkEntries(config, key, configSchema) : { config, problems: {} };
      const problems = Object.values(checked.problems);
      if (problems.length) throw new ConfigError(`invalid SCANHOOK_CONFIG: ${problems.join('; ')}`);
      return checked.config;
    },
  };
};
