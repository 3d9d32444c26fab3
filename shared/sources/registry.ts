import type * as z from 'zod';
import { pluginConfigUnion, pluginLookup } from '../plugins.js';
import { acrSource } from './acr.js';
import { harborSource } from './harbor.js';
import type { SourcePlugin } from './source.js';
import { swrSource } from './swr.js';

/** Every webhook format scanhook accepts. A new one: one file beside this one, one entry here. */
export const sources: Record<string, SourcePlugin> = {
  acr: acrSource,
  harbor: harborSource,
  swr: swrSource,
};

/** Every source authenticates with a shared secret. */
export type SourceConfig = { type: string; secret: string } & Record<string, unknown>;
export const SourceConfig = pluginConfigUnion('source', Object.values(sources)) as unknown as z.ZodType<SourceConfig>;
export const sourcePlugin = pluginLookup('source', sources);
