import { dingtalkSim } from './dingtalk.js';
import { discordSim } from './discord.js';
import { feishuSim } from './feishu.js';
import { googleChatSim } from './googlechat.js';
import { slackSim } from './slack.js';
import type { TargetSim } from './target.js';
import { teamsSim } from './teams.js';
import { wecomSim } from './wecom.js';

/** The chat targets the fake chat server plays, by channel type; each call gets its own state. */
export const createTargetSims = (): Record<string, TargetSim> => ({
  slack: slackSim,
  teams: teamsSim,
  dingtalk: dingtalkSim,
  feishu: feishuSim,
  wecom: wecomSim,
  discord: discordSim,
  googlechat: googleChatSim(),
});

export { dingtalkSim, discordSim, feishuSim, googleChatSim, slackSim, teamsSim, wecomSim };
export type { RobotSettings, TargetSim } from './target.js';
