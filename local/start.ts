import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRET } from './demoConfig.js';
import { startStack } from './stack.js';
import { describeChatPost, prettyLogs } from './terminal.js';

/** `npm start`: scanhook end to end on this machine. */
process.stdout.write(`scanhook · Node ${process.version}\n`);

const fail = (message: string): never => {
  process.stderr.write(`scanhook could not start: ${message}\n`);
  process.exit(1);
};

const isLoopback = (address: string) => address === 'localhost' || address === '::1' || address.startsWith('127.');
const project = fileURLToPath(new URL('..', import.meta.url));
const shown = (path: string) => (relative(project, path).startsWith('..') ? path : relative(project, path) || '.');

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--fresh');
if (unknown.length > 0) fail(`unknown argument ${unknown[0]} (npm start takes only --fresh)`);

const port = Number(process.env.PORT ?? 3000);
// The embedded SQS server listens on PORT + 1, where `npm run dlq` (local/dlq.ts) finds it from a second terminal.
if (!Number.isInteger(port) || port < 1 || port > 65534)
  fail(`PORT must be a port number from 1 to 65534 (the queues take PORT + 1), not "${process.env.PORT}"`);
const sqsPort = port + 1;
// The webhook front listens on 127.0.0.1 unless HOST opens it (e.g. HOST=0.0.0.0 for a registry on another machine).
const host = process.env.HOST || '127.0.0.1';
// The queues live on disk here, so a crash or a restart loses no accepted push; `--fresh` starts empty.
const stateDir = resolve(process.env.SCANHOOK_STATE_DIR || resolve(project, '.scanhook/state'));
// For tests only: in-flight messages come back this soon after a crash, instead of the deployed timeouts (about 3 min).
const visibility = process.env.SCANHOOK_VISIBILITY_TIMEOUT_SECONDS;
const visibilityTimeoutSeconds = visibility ? Number(visibility) : undefined;
if (visibilityTimeoutSeconds !== undefined && !(Number.isInteger(visibilityTimeoutSeconds) && visibilityTimeoutSeconds > 0)) {
  fail(`SCANHOOK_VISIBILITY_TIMEOUT_SECONDS must be a whole number of seconds, not "${visibility}"`);
}

prettyLogs();
const stack = await startStack({
  port,
  host,
  sqsPort,
  stateDir,
  freshState: args.includes('--fresh'),
  ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
  onPost: (post) => process.stdout.write(describeChatPost(post)),
}).catch((err: NodeJS.ErrnoException & { port?: number }) => {
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
    const which = err.port === sqsPort ? `${sqsPort} (PORT + 1, the embedded SQS server)` : `${err.port ?? port} (PORT, the webhook endpoint)`;
    const why = err.code === 'EADDRINUSE' ? 'is in use' : 'may not be opened by this user';
    return fail(`port ${which} ${why}: another npm start? Stop it or pick another PORT (e.g. PORT=3100 npm start)`);
  }
  return fail(err.message);
});

const sources = Object.keys(stack.config.sources);
const { restored } = stack.queues;
const visibleAfter = visibilityTimeoutSeconds !== undefined ? `${visibilityTimeoutSeconds} s` : 'about 3 min';
process.stdout.write(
  `${[
    '',
    `scanhook is running locally (${stack.demo ? 'demo config: ACR, Security Center, SWR EE, HSS and IAM simulators + terminal chat sink' : 'config from SCANHOOK_CONFIG'})`,
    `  webhooks:  ${sources.map((s) => `POST ${stack.url}/webhooks/${s}`).join('   ')}`,
    isLoopback(host) ? '' : `  HOST=${host}: the webhook endpoint is reachable from other machines (queues and simulators stay on 127.0.0.1)`,
    stack.demo ? `  secret:    ${DEMO_SECRET} (ACR, ACR events: ?token=…; Harbor, SWR EE: Authorization header)` : '',
    `  queues:    ${stack.queues.address} · kept in ${shown(stateDir)} (npm start -- --fresh starts empty) · npm run dlq -- list`,
    restored.messages + restored.inFlight + restored.delayed > 0
      ? `  restored:  ${restored.messages + restored.delayed} job(s) waiting${restored.inFlight > 0 ? `, ${restored.inFlight} in flight when it stopped (back within ${visibleAfter})` : ''}${restored.deadLetters > 0 ? `; ${restored.deadLetters} dead letter(s)` : ''}`
      : '',
    stack.config.watch ? `  watch:     a sweep on ${stack.config.watch.schedule} (UTC) · npm run sweep starts one now` : '',
    `  try:       npm run push -- events/acr/push.json`,
    ...(stack.demo
      ? [
          `             npm run push -- events/acr/push-sas.json          (namespace sas-*: Security Center)`,
          `             npm run push -- events/swr/push.json              (SWR EE push: SWR EE's scanner)`,
          `             npm run push -- events/acr/push-to-hss-demo.json  (namespace hss-*: HSS)`,
          `             npm run push -- events/harbor/push.json           (Harbor push: Security Center)`,
          `             npm run push -- events/harbor/scanning-completed.json  (Harbor's own scan result)`,
          `             npm run push -- events/acr-events/push.json       (ACR EE event: a push; then scan-completed.json)`,
          `             npm run push -- events/acr-events/scan-completed-autoscan.json  (ACR EE's own scan, read and sent)`,
          `             npm run sweep                                     (re-scan the watched images now: one gained a finding)`,
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
