import { DEMO_SECRET } from './demoConfig.js';
import { startStack } from './stack.js';
import { describeChatPost, prettyLogs } from './terminal.js';

/** `npm start`: scanhook end to end on this machine. */
prettyLogs();
const port = Number(process.env.PORT ?? 3000);
const stack = await startStack({ port, scanBatchingWindowSeconds: 2, onPost: (post) => process.stdout.write(describeChatPost(post)) }).catch((err: Error) => {
  process.stderr.write(`scanhook could not start: ${err.message}\n`);
  process.exit(1);
});

const sources = Object.keys(stack.config.sources);
process.stdout.write(
  [
    '',
    `scanhook is running locally (${stack.demo ? 'demo config: ACR and Security Center simulators + terminal chat sink' : 'config from SCANHOOK_CONFIG'})`,
    `  webhooks:  ${sources.map((s) => `POST ${stack.url}/webhooks/${s}`).join('   ')}`,
    stack.demo ? `  secret:    ?token=${DEMO_SECRET}` : '',
    `  try:       npm run push -- events/acr/push.json`,
    stack.demo ? `             npm run push -- events/acr/push-sas.json   (namespace sas-*: Security Center)` : '',
    '  stop:      Ctrl-C',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n\n',
);

const shutdown = async () => {
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
