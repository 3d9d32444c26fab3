import { runFuzz } from './bench/fuzz.js';
import { startStack } from './local/stack.js';
const w = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as any;
const stack = await startStack({ port: 0, env: { ...process.env, SCANHOOK_CONFIG: '' } });
const t0 = Date.now();
const tally = await runFuzz({ target: { url: stack.url, acrSecret: 'local-demo-secret-change-me', harborSecret: 'local-demo-secret-change-me' }, count: 20, slowClients: 2, slowClientLimitMs: 20000 });
w(JSON.stringify({ ms: Date.now() - t0, cut: tally.slowClientsCut }) + '\n');
await stack.stop();
