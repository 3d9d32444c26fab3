import { createHttpClient, type HttpClient } from './http.js';
import { validatePluginConfigs } from './pluginConfig.js';
import type { RetryPolicy } from './retry.js';
import type { Runtime } from './runtime.js';
import { scannerPlugin } from './scanners/registry.js';
import type { ScannerClient } from './scanners/scanner.js';

/** The queue functions' runtime: adds HTTP (undici) and the scanner clients, which the webhook function never needs. */
export interface WorkerRuntime extends Runtime {
  http: HttpClient;
  retry: RetryPolicy;
  scanner(key: string): ScannerClient;
}

export const withWorkers = (base: Runtime, onRetry?: (call: string, code: string, attempt: number, delayMs: number) => void): WorkerRuntime => {
  const rt = { ...base, config: validatePluginConfigs(base.config) };
  const { timeoutMs, attempts, baseDelayMs, maxDelayMs } = rt.config.http;
  const http = createHttpClient({ timeoutMs });
  const retry = { attempts, baseDelayMs, maxDelayMs };
  const clients = new Map<string, ScannerClient>();
  return {
    ...rt,
    http,
    retry,
    scanner(key) {
      let client = clients.get(key);
      if (!client) {
        const config = rt.config.scanners[key];
        if (!config) throw new Error(`scanner "${key}" is not in the config`);
        client = scannerPlugin(config.type).create(config, { http, retry, env: rt.env, ...(onRetry ? { onRetry } : {}) });
        clients.set(key, client);
      }
      return client;
    },
  };
};
