import { ACR_SIM_CREDENTIALS } from '../local/simulators/acr.js';
import { pushWebhook, startQuietStack } from './quietStack.js';

const SECRET = 'bench-secret-0123456789';
/** Scan lengths in seconds: the bar is 10 s for a scan under a minute, 30 s for any scan. */
const LENGTHS = [2, 8, 15, 29, 44, 58, 75];
const BURST = 10;
const BURST_SCAN_SECONDS = 8;

const slack = (chatUrl: string, name: string) => ({ type: 'slack', url: `${chatUrl}/slack/TBENCH/B${name.toUpperCase()}/bench-token` });
const repoOf = (seconds: number) => `lasts-${seconds}s`;
const burstRepo = (i: number) => `burst-${i}`;

/**
 * From a scan's end to its chat message, end to end through local mode with exactly the deployed queue settings
 * and the default polling: ACR scans of fixed lengths (the simulator's status says COMPLETE from their end on),
 * each posting to its own Slack channel; then a burst of pushes whose results all go to one Slack channel. Also
 * the time from the webhook's 202 to the scan's start call.
 */
export const scanToMessage = async () => {
  const stack = await startQuietStack({
    config: ({ acrUrl, chatUrl }: { acrUrl: string; chatUrl: string }) => ({
      sources: { acr: { secret: SECRET } },
      scanners: { acr: { type: 'acr', region: 'cn-hangzhou', instanceId: 'cri-bench', endpoint: acrUrl } },
      channels: {
        ...Object.fromEntries(LENGTHS.map((s) => [`lasts${s}`, slack(chatUrl, `lasts${s}`)])),
        burst: slack(chatUrl, 'burst'),
      },
      routes: [
        ...LENGTHS.map((s) => ({ source: 'acr', namespace: 'team-a', repository: repoOf(s), scanner: 'acr', channels: [`lasts${s}`] })),
        { source: 'acr', namespace: 'team-a', repository: 'burst-*', scanner: 'acr', channels: ['burst'] },
      ],
    }),
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: ACR_SIM_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACR_SIM_CREDENTIALS.accessKeySecret },
  });
  let seq = 0;
  const push = async (repository: string) => {
    const digest = `sha256:${(++seq).toString(16).padStart(64, 'a')}`;
    await pushWebhook(stack.url, 'acr', SECRET, {
      push_data: { digest, tag: '1.0.0' },
      repository: { name: repository, namespace: 'team-a', region: 'cn-hangzhou' },
    });
    return Date.now();
  };
  const postsTo = (name: string) => stack.chat.delivered(`/slack/TBENCH/B${name.toUpperCase()}/`);
  try {
    for (const s of LENGTHS) stack.acr.setBehaviour(`team-a/${repoOf(s)}`, { scanSeconds: s });
    for (let i = 0; i < BURST; i++) stack.acr.setBehaviour(`team-a/${burstRepo(i)}`, { scanSeconds: BURST_SCAN_SECONDS });
    const accepted = new Map<string, number>();
    for (const s of LENGTHS) accepted.set(repoOf(s), await push(repoOf(s)));
    for (let i = 0; i < BURST; i++) accepted.set(burstRepo(i), await push(burstRepo(i)));

    const deadline = Date.now() + (Math.max(...LENGTHS) + 60) * 1000;
    const done = () => LENGTHS.every((s) => postsTo(`lasts${s}`).length > 0) && postsTo('burst').some((p) => p.body.includes(burstRepo(BURST - 1)));
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

    const endOf = (repository: string) => stack.acr.scanEndsAt(`team-a/${repository}`, '1.0.0');
    const startDelay = (repository: string, seconds: number) => {
      const end = endOf(repository);
      return end === undefined ? Number.NaN : (end - seconds * 1000 - accepted.get(repository)!) / 1000;
    };
    const rows = LENGTHS.map((s) => {
      const end = endOf(repoOf(s));
      const post = postsTo(`lasts${s}`)[0];
      return {
        scanSeconds: s,
        startSeconds: startDelay(repoOf(s), s),
        messageSeconds: end === undefined || !post ? Number.NaN : (post.at - end) / 1000,
        bar: s < 60 ? 10 : 30,
      };
    });
    const burstPosts = postsTo('burst');
    const burstEnds = Array.from({ length: BURST }, (_, i) => endOf(burstRepo(i)) ?? Number.NaN);
    const burst = {
      results: BURST,
      posts: burstPosts.length,
      worstMessageSeconds: Math.max(
        ...Array.from({ length: BURST }, (_, i) => {
          const post = burstPosts.find((p) => p.body.includes(burstRepo(i)));
          return post ? (post.at - burstEnds[i]!) / 1000 : Number.NaN;
        }),
      ),
      limitBroken: burstPosts.some((p) => p.violations.length > 0),
    };
    return { rows, burst };
  } finally {
    await stack.stop();
  }
};
