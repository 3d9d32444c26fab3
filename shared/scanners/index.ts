import type * as z from 'zod/mini';
import { pluginFamily } from '../config/pluginFamily.js';
import { acrScanner } from './acr.js';
import { hssScanner } from './hss.js';
import { sasScanner } from './sas.js';
import type { ScannerPlugin } from './scanner.js';
import { swrScanner } from './swr.js';

/** Every scanner scanhook knows. A new scanner: one file beside this one, one entry here. */
export const {
  plugins: scanners,
  configSchema: ScannerConfig,
  plugin: scannerPlugin,
  validate: validateScannerEntries,
  checkEntries: checkScannerEntries,
} = pluginFamily<ScannerPlugin>('scanner', [acrScanner, sasScanner, swrScanner, hssScanner], 'scanners');

export type ScannerConfig = z.infer<typeof ScannerConfig>;
