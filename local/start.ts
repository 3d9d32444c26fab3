import { DEMO_SECRET } from './demoConfig.js';
import { startStack } from './stack.js';
import { describeChatPost, prettyLogs } from './terminal.js';

const isLoopback = (address: string) => address === 'localhost' || address === '::1' || address.startsWith('127.');

/** `npm start`: scanhook end to end on this machine. */
prettyLogs();
const port = Number(process.env.PORT ?? 3000);
// The webhook front listens on 127.0.0.1 unless HOST opens it (e.g. HOST=0.0.0.0 for a registry on another machine).
const host = process.env.HOST || '127.0.0.1';
const stack = await startStack({ port, host, scanBatchingWindowSeconds: 2, onPost: (post) => process.stdout.write(describeChatPost(post)) }).catch(
  (err: Error) => {
    process.stderr.write(`scanhook could not start: ${err.message}\n`);
    process.exit(1);
  },
);

const sources = Object.keys(stack.config.sources);
process.stdout.write(
  `${[
    '',
    `scanhook is running locally (${stack.demo ? 'demo config: ACR, Security Center, SWR EE, HSS and IAM simulators + terminal chat sink' : 'config from SCANHOOK_CONFIG'})`,
    `  webhooks:  ${sources.map((s) => `POST ${stack.url}/webhooks/${s}`).join('   ')}`,
    isLoopback(host) ? '' : `  HOST=${host}: the webhook endpoint is reachable from other machines (queues and simulators stay on 127.0.0.1)`,
    stack.demo ? `  secret:    ${DEMO_SECRET} (ACR: ?token=…; Harbor, SWR EE: Authorization header)` : '',
    `  try:       npm run push -- events/acr/push.json`,
    ...(stack.demo
      ? [
          `             npm run push -- events/acr/push-sas.json          (namespace sas-*: Security Center)`,
          `             npm run push -- events/swr/push.json              (SWR EE push: SWR EE's scanner)`,
          `             npm run push -- events/acr/push-to-hss-demo.json  (namespace hss-*: HSS)`,
          `             npm run push -- events/harbor/push.json           (Harbor push: Security Center)`,
          `             npm run push -- events/harbor/scanning-completed.json  (Harbor's own scan result)`,
        ]
      : []),
    '  stop:      Ctrl-C',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n')}\n\n`,
);

const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
