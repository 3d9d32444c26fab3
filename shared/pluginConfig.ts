import { ChannelConfig } from './channels/registry.js';
import { type Config, ConfigError, parseConfig } from './config.js';
import { ScannerConfig } from './scanners/registry.js';
import { formatIssues } from './zodPath.js';

/** Checks every scanner and channel entry against its plugin's schema; errors name the exact field. */
export const validatePluginConfigs = (config: Config): Config => {
  const problems: string[] = [];
  const check = (family: 'scanners' | 'channels', schema: typeof ScannerConfig | typeof ChannelConfig) => {
    const parsed: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(config[family])) {
      const result = schema.safeParse(entry);
      if (result.success) parsed[key] = result.data;
      else problems.push(formatIssues(result.error, [family, key]));
    }
    return parsed as Config[typeof family];
  };
  const scanners = check('scanners', ScannerConfig);
  const channels = check('channels', ChannelConfig);
  if (problems.length) throw new ConfigError(`invalid SCANHOOK_CONFIG: ${problems.join('; ')}`);
  return { ...config, scanners, channels };
};

/** The whole config, every plugin entry included: what `npm start`, the queue functions and the tests use. */
export const parseFullConfig = (raw: unknown): Config => validatePluginConfigs(parseConfig(raw));
