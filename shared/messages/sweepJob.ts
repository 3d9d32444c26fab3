import * as z from 'zod/mini';
import { ImagePush } from './image.js';

/** An image a sweep re-scans, and the route that watches it. */
export const SweepImage = z.object({ route: z.number().check(z.int(), z.nonnegative()), image: ImagePush });
export type SweepImage = z.infer<typeof SweepImage>;

/**
 * A sweep, put on the intake queue by the schedule (or `npm run sweep`): it lists the watched routes' images. With
 * `images`, one part of a sweep: those images' last scans are read and their re-scans queued.
 */
export const SweepJob = z.object({
  kind: z.literal('sweep'),
  v: z.literal(1),
  /** The schedule's time for this sweep: what makes its jobs the same when the schedule delivers it twice. */
  scheduledAt: z.iso.datetime({ offset: true }),
  images: z.optional(z.array(SweepImage).check(z.maxLength(100))),
  /** Which part of the sweep this is, from 0. */
  part: z.optional(z.number().check(z.int(), z.nonnegative())),
});
export type SweepJob = z.infer<typeof SweepJob>;
