import * as z from 'zod';
import { ConfigError } from './configError.js';
import { formatIssues } from './zodIssues.js';

interface Plugin {
  type: string;
  configSchema: z.ZodType;
}

/** The config schema of a plugin family: a union discriminated by `type`, with an error that lists the known types. */
const pluginConfigUnion = (family: string, plugins: readonly Plugin[]) =>
  z.discriminatedUnion('type', plugins.map((p) => p.configSchema) as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>], {
    error: (issue) => (issue.code === 'invalid_union' ? `unknown ${family} type; expected one of ${plugins.map((p) => `"${p.type}"`).join(', ')}` : undefined),
  });

/**
 * Checks every entry of one plugin family in the config against the family's schema. Each function checks only the
 * families it uses, so no function loads another family's code; errors name the exact field.
 */
type EntriesKey = 'scanners' | 'channels';
type WithEntries = Record<EntriesKey, Record<string, unknown>>;

const validateEntries = <C extends WithEntries>(config: C, key: EntriesKey, schema: z.ZodType): C => {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(config[key])) {
    const result = schema.safeParse(entry);
    if (result.success) parsed[name] = result.data;
    else problems.push(formatIssues(result.error, [key, name]));
  }
  if (problems.length) throw new ConfigError(`invalid SCANHOOK_CONFIG: ${problems.join('; ')}`);
  return { ...config, [key]: parsed };
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
    validate: <C extends WithEntries>(config: C): C => (key ? validateEntries(config, key, configSchema) : config),
  };
};
