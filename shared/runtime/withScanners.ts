import type { Logger } from '@aws-lambda-powertools/logger';
import { CallError } from '../http/callError.js';
import type { ScannedBy } from '../messages/notifyJobs.js';
import { checkScannerEntries, scannerPlugin } from '../scanners/index.js';
import type { ScannerClient } from '../scanners/scanner.js';
import type { HttpRuntime } from './withHttp.js';

/** The runtime of the functions that talk to scanners (startScan, pollStatus): one client per configured scanner. */
export interface ScannerRuntime extends HttpRuntime {
  scanner(key: string): ScannerClient;
  /** The scanner's type and label, for the messages about its scans. */
  scannedBy(key: string): ScannedBy;
}

/**
 * Checks the scanner entries of the config; clients are made on first use, and every vendor retry is logged. A
 * broken or missing entry fails only the jobs that need it, as a config fault that retrying cannot fix.
 */
export const withScanners = (base: HttpRuntime, log: Logger): ScannerRuntime => {
  const { config, problems } = checkScannerEntries(base.config);
  for (const [scanner, problem] of Object.entries(problems))
    log.error('scanner entry is invalid: its jobs fail until the config is fixed', { scanner, problem });
  const clients = new Map<string, ScannerClient>();
  const entry = (key: string) => {
    const scanner = Object.hasOwn(config.scanners, key) ? config.scanners[key] : undefined;
    if (scanner) return scanner;
    const problem = Object.hasOwn(problems, key) ? problems[key] : `scanner "${key}" is not in the config`;
    throw new CallError({ kind: 'invalid', code: 'ConfigError', message: `invalid SCANHOOK_CONFIG: ${problem}` });
  };
  return {
    ...base,
    config,
    scanner(key) {
      let client = clients.get(key);
      if (!client) {
        const onRetry = (call: string, code: string, attempt: number, delayMs: number) =>
          log.warn('vendor call retried', { scanner: key, call, code, attempt, delayMs });
        client = scannerPlugin(entry(key).type).create(entry(key), { http: base.http, retry: base.retry, env: base.env, onRetry });
        clients.set(key, client);
      }
      return client;
    },
    scannedBy(key) {
      const type = Object.hasOwn(config.scanners, key) ? config.scanners[key]?.type : undefined;
      return type ? { type, label: scannerPlugin(type).label } : { type: 'unknown', label: 'unknown' };
    },
  };
};
