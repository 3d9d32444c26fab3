import * as z from 'zod';

interface Plugin {
  type: string;
  configSchema: z.ZodType;
}

/** The config schema of a plugin family: a union discriminated by `type`, with an error that lists the known types. */
export const pluginConfigUnion = (family: string, plugins: readonly Plugin[]) =>
  z.discriminatedUnion(
    'type',
    plugins.map((p) => p.configSchema) as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `unknown ${family} type; expected one of ${plugins.map((p) => `"${p.type}"`).join(', ')}`
          : undefined,
    },
  );

export const pluginLookup =
  <P extends Plugin>(family: string, registry: Record<string, P>) =>
  (type: string): P => {
    const plugin = registry[type];
    if (!plugin) throw new Error(`unknown ${family} type "${type}"`);
    return plugin;
  };
