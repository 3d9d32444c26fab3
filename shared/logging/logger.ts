import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one configured logger. Each function takes a child that names it.
 * Never log a config value, a URL of a channel, or a request's headers: they carry secrets.
 */
export const logger = new Logger({ serviceName: 'scanhook' });

export const functionLogger = (name: string): Logger => logger.createChild({ persistentKeys: { fn: name } });
