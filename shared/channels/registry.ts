import type * as z from 'zod';
import { pluginConfigUnion, pluginLookup } from '../plugins.js';
import type { ChannelPlugin } from './channel.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';

/** Every chat target scanhook knows. A new target: one file beside this one, one entry here. */
export const channels: Record<string, ChannelPlugin> = {
  slack: slackChannel,
  webhook: webhookChannel,
};

export const ChannelConfig = pluginConfigUnion('channel', Object.values(channels));
export type ChannelConfig = z.infer<typeof ChannelConfig>;
export const channelPlugin = pluginLookup('channel', channels);
