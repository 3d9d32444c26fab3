import * as z from 'zod';

export const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" followed by 64 hex digits');

export const ImagePush = z.object({
  source: z.string(),
  region: z.string().optional(),
  namespace: z.string().min(1),
  repository: z.string().min(1),
  /** The tag this push set; absent for a digest-only push. Routing and tag-based scanners use it. */
  tag: z.string().optional(),
  /** Every tag pushed with this digest that scanhook saw together (this push's `tag` included), for messages. */
  tags: z.array(z.string().min(1)).optional(),
  digest: Digest,
  pushedAt: z.string().optional(),
});
export type ImagePush = z.infer<typeof ImagePush>;

/** One image: the same digest in two repositories is two images to scan. */
export const imageKey = (image: ImagePush): string => `${image.namespace}/${image.repository}@${image.digest}`;

/** A tag as a registry sent it, unless it is absent or the digest in its place (Harbor puts it there). */
export const tagName = (tag: string | undefined): string | undefined => (tag && !tag.startsWith('sha256:') ? tag : undefined);

/** The push's own tag, unless it has none (a digest-only push). */
export const tagOf = (image: ImagePush): string | undefined => tagName(image.tag);

/** Every tag the image was pushed with, in the order seen. */
export const tagsOf = (image: ImagePush): string[] => [...new Set([...(image.tags ?? []), ...(image.tag ? [image.tag] : [])])];
