import type { ImagePush } from '../messages/image.js';
import { type Config, REGISTRY_SCANNER } from './config.js';
import { globMatches } from './glob.js';

/**
 * The first route for this image. A push is matched against routes that scan; a registry's own scan result
 * (`registryResult`) against routes with the scanner "registry".
 */
export const matchRoute = (config: Config, push: ImagePush, registryResult = false): number =>
  config.routes.findIndex(
    (r) =>
      r.source === push.source &&
      (r.scanner === REGISTRY_SCANNER) === registryResult &&
      globMatches(r.namespace, push.namespace) &&
      globMatches(r.repository, push.repository) &&
      (push.tag === undefined ? r.tag === '*' : globMatches(r.tag, push.tag)),
  );
