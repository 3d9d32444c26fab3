import type * as z from 'zod/mini';
import { pluginFamily } from '../config/pluginFamily.js';
import { acrSource } from './acr.js';
import { acrEventsSource } from './acrEvents.js';
import { harborSource } from './harbor.js';
import type { SourcePlugin } from './source.js';
import { swrSource } from './swr.js';

/** Every webhook format scanhook accepts. A new one: one file beside this one, one entry here. */
const family = pluginFamily<SourcePlugin>('source', [acrSource, acrEventsSource, harborSource, swrSource]);
export const sources = family.plugins;

/** Every source authenticates with a shared secret. */
export type SourceConfig = { type: string; secret: string } & Record<string, unknown>;
export const SourceConfig = family.configSchema as unknown as z.ZodMiniType<SourceConfig>;
export const sourcePlugin = family.plugin;
