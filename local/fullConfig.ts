import { validateChannelEntries } from '../shared/channels/index.js';
import { type Config, parseConfig } from '../shared/config/config.js';
import { ConfigError } from '../shared/config/configError.js';
import { validateScannerEntries } from '../shared/scanners/index.js';

const PREFIX = 'invalid SCANHOOK_CONFIG: ';

/**
 * The whole config, every plugin entry checked (what `npm start` and the tests check up front) as the queue functions check it (startScan and pollStatus the
 * scanners, notify the channels), with the problems of both families in one error.
 */
export const parseFullConfig = (raw: unknown): Config => {
  let config = parseConfig(raw);
  const problems: string[] = [];
  for (const validate of [validateScannerEntries, validateChannelEntries]) {
    try {
      config = validate(config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err.message.replace(PREFIX, ''));
    }
  }
  if (problems.length > 0) throw new ConfigError(`${PREFIX}${problems.join('; ')}`);
  return config;
};
