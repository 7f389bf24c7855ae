/**
 * The smallest configuration the networks take (32 px, 8 frames, widths 2), for tests
 * that exercise the model's mechanics rather than what it learns.
 */
export const SMALLEST = {
  imageSize: 32,
  videoLength: 8,
  batchSize: 2,
  ndf: 2,
  ngf: 2,
  dimContent: 3,
} as const;
