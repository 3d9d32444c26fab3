import type { Logger } from '@aws-lambda-powertools/logger';
import type { ScannedBy } from '../messages/notifyJobs.js';
import { scannerPlugin, validateScannerEntries } from '../scanners/index.js';
import type { ScannerClient } from '../scanners/scanner.js';
import type { HttpRuntime } from './withHttp.js';

/** The runtime of the functions that talk to scanners (startScan, pollStatus): one client per configured scanner. */
export interface ScannerRuntime extends HttpRuntime {
  scanner(key: string): ScannerClient;
  /** The scanner's type and label, for the messages about its scans. */
  scannedBy(key: string): ScannedBy;
}

/** Checks the scanner entries of the config; clients are made on first use, and every vendor retry is logged. */
export const withScanners = (base: HttpRuntime, log: Logger): ScannerRuntime => {
  const config = validateScannerEntries(base.config);
  const clients = new Map<string, ScannerClient>();
  const entry = (key: string) => {
    const scanner = config.scanners[key];
    if (!scanner) throw new Error(`scanner "${key}" is not in the config`);
    return scanner;
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
      const type = config.scanners[key]?.type;
      return type ? { type, label: scannerPlugin(type).label } : { type: 'unknown', label: 'unknown' };
    },
  };
};
