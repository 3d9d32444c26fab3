import { checkChannelEntries } from '../shared/channels/index.js';
import { type Config, parseConfig } from '../shared/config/config.js';
import { ConfigError } from '../shared/config/configError.js';
import { watchProblems } from '../shared/config/watch.js';
import { checkScannerEntries } from '../shared/scanners/index.js';
import { scheduleRangeProblem } from './schedule.js';

const PREFIX = 'invalid SCANHOOK_CONFIG: ';

const entries = (raw: unknown, key: 'scanners' | 'channels'): Record<string, unknown> => {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
};

/**
 * The whole config, every plugin entry checked as the queue functions check it (startScan and pollStatus the
 * scanners, notify the channels): what `npm start`, `npm run check-config` and the tests check up front. Every
 * mistake of the document is named in one error, the plugin entries' too when the rest is broken.
 */
export const parseFullConfig = (raw: unknown): Config => {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = parseConfig(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(err.message.replace(PREFIX, ''));
  }
  const plugins = { scanners: entries(raw, 'scanners'), channels: entries(raw, 'channels') };
  const scanners = checkScannerEntries(config ?? plugins);
  const channels = checkChannelEntries(config ?? plugins);
  problems.push(...Object.values(scanners.problems), ...Object.values(channels.problems));
  // The watch settings as startScan checks them, and the ranges of the schedule's values.
  const watch = config ? watchProblems(config) : [];
  const range = config?.watch && watch.length === 0 ? scheduleRangeProblem(config.watch.schedule.trim()) : undefined;
  problems.push(...watch, ...(range ? [`watch.schedule: ${range}`] : []));
  if (problems.length > 0 || !config) throw new ConfigError(`${PREFIX}${problems.join('; ')}`);
  return { ...config, scanners: scanners.config.scanners, channels: channels.config.channels } as Config;
};
