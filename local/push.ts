import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { DEMO_SECRET } from './demoConfig.js';

/**
 * `npm run push -- events/acr/push.json [--source acr] [--token SECRET] [--url http://127.0.0.1:3000]`:
 * sends a sample webhook to the local scanhook. The source defaults to the file's folder name; the token to the
 * source's secret in SCANHOOK_CONFIG (when it is JSON), else the demo secret.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const source = flag('source');
const token = flag('token');
const url = flag('url') ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const file = args[0];
if (!file) {
  process.stderr.write('usage: npm run push -- <event.json> [--source acr] [--token SECRET] [--url URL]\n');
  process.exit(2);
}
const src = source ?? basename(dirname(file));
const configured = (() => {
  try {
    return JSON.parse(process.env.SCANHOOK_CONFIG ?? '').sources?.[src]?.secret as string | undefined;
  } catch {
    return undefined;
  }
})();
const body = await readFile(file, 'utf8');
const secret = token ?? configured ?? DEMO_SECRET;
// ACR sends the secret as ?token=, Harbor and SWR EE in the Authorization header: both go, each source reads its own.
const res = await fetch(`${url}/webhooks/${encodeURIComponent(src)}?token=${encodeURIComponent(secret)}`, {
  method: 'POST',
  headers: {
    'content-type': basename(file).includes('cloudevents') ? 'application/cloudevents+json' : 'application/json',
    authorization: secret,
  },
  body,
}).catch((err: Error) => {
  process.stderr.write(`cannot reach scanhook at ${url} (${err.cause ?? err.message}): is \`npm start\` running?\n`);
  process.exit(1);
});
process.stdout.write(`${res.status} ${await res.text()}\n`);
process.exit(res.status < 300 ? 0 : 1);
