import * as z from 'zod/mini';

export const Digest = z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" followed by 64 hex digits'));

/** A digest with its `sha256:`, for APIs that answer with bare hex (ACR's); anything else is left for `Digest` to judge. */
export const prefixedDigest = (digest: string): string => (/^[0-9a-f]{64}$/i.test(digest) ? `sha256:${digest.toLowerCase()}` : digest);

export const ImagePush = z.object({
  source: z.string(),
  region: z.optional(z.string()),
  namespace: z.string().check(z.minLength(1)),
  repository: z.string().check(z.minLength(1)),
  /** The tag this push set; absent for a digest-only push. Routing and tag-based scanners use it. */
  tag: z.optional(z.string()),
  /** Every tag pushed with this digest that scanhook saw together (this push's `tag` included), for messages. */
  tags: z.optional(z.array(z.string().check(z.minLength(1)))),
  digest: Digest,
  pushedAt: z.optional(z.string()),
});
export type ImagePush = z.infer<typeof ImagePush>;

/*
 * Image names as OCI's distribution spec has them
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests): a repository name is
 * path components joined by `/`, each `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, 255 characters at most in all (the
 * limit clients put on it); a tag `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. Each registry adds its own limits below.
 * A registry never sends a name outside them, so the webhook refuses one before anything is queued.
 */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
export const NAME_MAX_LENGTH = 255;
export const TAG_MAX_LENGTH = 128;

/** What a registry allows on top of OCI's rules: the lengths of its namespace and repository names, and `/` in a repository. */
export interface RegistryNameRules {
  namespaceMaxLength: number;
  repositoryMaxLength: number;
  nestedRepositories: boolean;
}

const OCI_NAME_RULES: RegistryNameRules = { namespaceMaxLength: NAME_MAX_LENGTH, repositoryMaxLength: NAME_MAX_LENGTH, nestedRepositories: true };
const ACR_NAME_RULES: RegistryNameRules = { ...OCI_NAME_RULES, namespaceMaxLength: 120 };

/**
 * By registry (source type). Every one has a namespace of one path component: ACR Enterprise Edition's of 2–120
 * characters, Harbor's project (and SWR EE's, built on Harbor) of up to 255. Repositories may nest with `/` in all
 * three. Only limits a registry documents today are enforced: refusing a real push loses its scan.
 */
export const REGISTRY_NAME_RULES: Readonly<Record<string, RegistryNameRules>> = {
  acr: ACR_NAME_RULES,
  /** The same ACR Enterprise Edition instance, told of pushes by EventBridge instead of a trigger. */
  'acr-events': ACR_NAME_RULES,
  harbor: OCI_NAME_RULES,
  swr: OCI_NAME_RULES,
};

const ONE_COMPONENT = new RegExp(`^${COMPONENT}$`);
const NESTED_COMPONENTS = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const COMPONENT_RULE = 'lowercase letters and digits, separated by ".", "_", "__" or "-"';

const pathName = (maxLength: number, nested: boolean) =>
  z
    .string()
    .check(
      z.minLength(1, { message: 'expected a name', abort: true }),
      z.maxLength(maxLength, { message: `expected at most ${maxLength} characters`, abort: true }),
      z.regex(nested ? NESTED_COMPONENTS : ONE_COMPONENT, `expected ${COMPONENT_RULE}${nested ? ', in path components joined by "/"' : ''}`),
    );

export const TagName = z
  .string()
  .check(
    z.maxLength(TAG_MAX_LENGTH, { message: `expected a tag of at most ${TAG_MAX_LENGTH} characters`, abort: true }),
    z.regex(TAG, 'expected a tag of letters, digits, "_", "." and "-", not starting with "." or "-"'),
  );

const imageNameOf = (registry: string) => {
  const rules = Object.hasOwn(REGISTRY_NAME_RULES, registry) ? REGISTRY_NAME_RULES[registry]! : OCI_NAME_RULES;
  return z
    .object({
      namespace: pathName(rules.namespaceMaxLength, false),
      repository: pathName(rules.repositoryMaxLength, rules.nestedRepositories),
      tag: z.optional(TagName),
      tags: z.optional(z.array(TagName).check(z.maxLength(100))),
      digest: Digest,
      region: z.optional(z.string().check(z.regex(/^[a-z0-9]{1,32}(?:-[a-z0-9]{1,32}){0,7}$/, 'expected a region id such as "cn-hangzhou"'))),
      pushedAt: z.optional(z.string().check(z.regex(/^[\x20-\x7e]{0,64}$/, 'expected a time of at most 64 printable characters'))),
    })
    .check(
      z.refine((image) => image.namespace.length + 1 + image.repository.length <= NAME_MAX_LENGTH, {
        path: ['repository'],
        message: `expected "namespace/repository" of at most ${NAME_MAX_LENGTH} characters`,
      }),
    );
};

/** Built once per registry type and kept: a schema built per request costs the webhook most of its time. */
const imageNames = new Map<string, ReturnType<typeof imageNameOf>>();

/**
 * An image as the webhook may queue it: its names by OCI's rules and its registry's (unknown registries: OCI's only),
 * and the other fields it carries short and printable.
 */
export const imageName = (registry: string) => imageNames.get(registry) ?? imageNames.set(registry, imageNameOf(registry)).get(registry)!;

/** One image: the same digest in two repositories is two images to scan. */
export const imageKey = (image: ImagePush): string => `${image.namespace}/${image.repository}@${image.digest}`;

/** A tag as a registry sent it, unless it is absent or the digest in its place (Harbor puts it there). */
export const tagName = (tag: string | undefined): string | undefined => (tag && !tag.startsWith('sha256:') ? tag : undefined);

/** The push's own tag, unless it has none (a digest-only push). */
export const tagOf = (image: ImagePush): string | undefined => tagName(image.tag);

/** Every tag the image was pushed with, in the order seen. */
export const tagsOf = (image: ImagePush): string[] => [...new Set([...(image.tags ?? []), ...(image.tag ? [image.tag] : [])])];
