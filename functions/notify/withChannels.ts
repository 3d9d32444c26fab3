import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { checkChannelEntries } from '../../shared/channels/index.js';
import type { HttpRuntime } from '../../shared/runtime/withHttp.js';

/** notify's runtime: the channels of the config checked; a broken entry's problem, by channel name. */
export interface NotifyRuntime extends HttpRuntime {
  channelProblems: Record<string, string>;
  /**
   * Told of the records a post delivered, as soon as it went through. Lambda deletes a batch's messages when it ends;
   * a host that can delete them earlier (local mode's durable queues) uses this to lose nothing to a crash mid-batch.
   */
  delivered?: (records: SQSRecord[]) => void;
}

/** A broken channel entry fails only its own messages (dead-lettered with the problem); the other channels post. */
export const withChannels = (base: HttpRuntime, log: Logger): NotifyRuntime => {
  const { config, problems } = checkChannelEntries(base.config);
  for (const [channel, problem] of Object.entries(problems)) log.error('channel entry is invalid: its messages are dead-lettered', { channel, problem });
  return { ...base, config, channelProblems: problems };
};
