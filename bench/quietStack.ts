import { type Stack, type StackOptions, startStack } from '../local/stack.js';

/**
 * Local mode for a bench, its webhook on a free port, with stdout silenced until it stops (the functions log every
 * job). A start that fails gives stdout back at once.
 */
export const startQuietStack = async (opts: StackOptions): Promise<Stack> => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const stack = await startStack({ port: 0, ...opts });
    return {
      ...stack,
      async stop() {
        try {
          await stack.stop();
        } finally {
          process.stdout.write = write;
        }
      },
    };
  } catch (err) {
    process.stdout.write = write;
    throw err;
  }
};

/** Posts a webhook to local mode; any answer but 202 fails the bench. */
export const pushWebhook = async (url: string, source: string, secret: string, body: unknown) => {
  const res = await fetch(`${url}/webhooks/${source}?token=${secret}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`the webhook answered ${res.status}: ${await res.text()}`);
};
