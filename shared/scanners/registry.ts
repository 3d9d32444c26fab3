import type * as z from 'zod';
import { pluginConfigUnion, pluginLookup } from '../plugins.js';
import { acrScanner } from './acr.js';
import { sasScanner } from './sas.js';
import { hssScanner } from './hss.js';
import type { ScannerPlugin } from './scanner.js';
import { swrScanner } from './swr.js';

/** Every scanner scanhook knows. A new scanner: one file beside this one, one entry here. */
export const scanners: Record<string, ScannerPlugin> = {
  acr: acrScanner,
  sas: sasScanner,
  swr: swrScanner,
  hss: hssScanner,
};

export const ScannerConfig = pluginConfigUnion('scanner', Object.values(scanners));
export type ScannerConfig = z.infer<typeof ScannerConfig>;
export const scannerPlugin = pluginLookup('scanner', scanners);
