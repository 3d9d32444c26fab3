import { dingtalkSim } from './dingtalk.js';
import { discordSim } from './discord.js';
import { feishuSim } from './feishu.js';
import { googleChatSim } from './googlechat.js';
import { httpEndpointSim } from './httpEndpoint.js';
import { slackSim } from './slack.js';
import type { TargetSim } from './target.js';
import { teamsSim } from './teams.js';
import { wecomSim } from './wecom.js';

/** The chat targets the fake chat server plays, by channel type; each call gets its own state. A new target: one line here. */
export const createTargetSims = (): Record<string, TargetSim> => ({
  slack: slackSim,
  teams: teamsSim,
  dingtalk: dingtalkSim,
  feishu: feishuSim,
  wecom: wecomSim,
  discord: discordSim,
  googlechat: googleChatSim(),
  webhook: httpEndpointSim,
});

/** One example channel entry per chat target, by type (see `TargetSim.example`). */
export const EXAMPLE_CHANNELS: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.values(createTargetSims()).map((sim) => [sim.type, sim.example]),
);

export type { RobotSettings, TargetSim } from './target.js';
export { dingtalkSim, discordSim, feishuSim, googleChatSim, httpEndpointSim, slackSim, teamsSim, wecomSim };
