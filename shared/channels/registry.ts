import type * as z from 'zod';
import { pluginConfigUnion, pluginLookup } from '../plugins.js';
import type { ChannelPlugin } from './channel.js';
import { dingtalkChannel } from './dingtalk.js';
import { discordChannel } from './discord.js';
import { feishuChannel } from './feishu.js';
import { googleChatChannel } from './googlechat.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

/** Every chat target scanhook knows. A new target: one file beside this one, one entry here. */
export const channels: Record<string, ChannelPlugin> = {
  slack: slackChannel,
  teams: teamsChannel,
  dingtalk: dingtalkChannel,
  feishu: feishuChannel,
  wecom: wecomChannel,
  discord: discordChannel,
  googlechat: googleChatChannel,
  webhook: webhookChannel,
};

export const ChannelConfig = pluginConfigUnion('channel', Object.values(channels));
export type ChannelConfig = z.infer<typeof ChannelConfig>;
export const channelPlugin = pluginLookup('channel', channels);
