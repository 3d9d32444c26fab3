import type * as z from 'zod/mini';
import { pluginFamily } from '../config/pluginFamily.js';
import type { ChannelPlugin } from './channel.js';
import { dingtalkChannel } from './dingtalk.js';
import { discordChannel } from './discord.js';
import { feishuChannel } from './feishu.js';
import { googleChatChannel } from './googlechat.js';
import { httpEndpointChannel } from './httpEndpoint.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { wecomChannel } from './wecom.js';

/** Every chat target scanhook knows. A new target: one file beside this one, one entry here. */
export const {
  plugins: channels,
  configSchema: ChannelConfig,
  plugin: channelPlugin,
  validate: validateChannelEntries,
  checkEntries: checkChannelEntries,
} = pluginFamily<ChannelPlugin>(
  'channel',
  [slackChannel, teamsChannel, dingtalkChannel, feishuChannel, wecomChannel, discordChannel, googleChatChannel, httpEndpointChannel],
  'channels',
);

export type ChannelConfig = z.infer<typeof ChannelConfig>;
