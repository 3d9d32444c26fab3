/**
 * One channel entry per chat target with made-up credentials in each target's real URL shape: what
 * `npm run preview` renders when no `--config` is given, and what the golden files are rendered with.
 */
export const EXAMPLE_CHANNELS: Record<string, Record<string, unknown>> = {
  slack: { type: 'slack', url: 'https://hooks.slack.com/services/T0EXAMPLE/B0EXAMPLE/exampleSlackToken0123' },
  teams: {
    type: 'teams',
    url: 'https://prod-42.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=exampleTeamsSig0123456789',
  },
  dingtalk: {
    type: 'dingtalk',
    url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    secret: 'SECexampleDingTalkSecret0123456789abcdef',
    keyword: 'scanhook',
  },
  feishu: {
    type: 'feishu',
    url: 'https://open.feishu.cn/open-apis/bot/v2/hook/01234567-89ab-cdef-0123-456789abcdef',
    secret: 'exampleFeishuSecret0123',
  },
  wecom: { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=01234567-89ab-cdef-0123-456789abcdef' },
  discord: { type: 'discord', url: 'https://discord.com/api/webhooks/123456789012345678/exampleDiscordToken0123456789' },
  googlechat: {
    type: 'googlechat',
    url: 'https://chat.googleapis.com/v1/spaces/AAAAexample/messages?key=exampleGoogleKey0123&token=exampleGoogleToken0123',
  },
  webhook: { type: 'webhook', url: 'https://scans.example.com/hooks/scanhook', headers: { authorization: 'Bearer example-receiver-token' } },
};
