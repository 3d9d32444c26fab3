import { floorWorker, post } from './worker.js';

/** notify's floor: one post. */
export const handler = floorWorker('floor-notify', post);
