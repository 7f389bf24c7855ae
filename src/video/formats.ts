/**
 * File extensions that the data loader treats as videos or images.
 *
 * @module
 */

/** Extensions (lower case, with dot) of video files that ffmpeg commonly reads. */
export const VIDEO_EXTENSIONS: readonly string[] = [
  ".mp4",
  ".m4v",
  ".mov",
  ".avi",
  ".mkv",
  ".webm",
  ".mpg",
  ".mpeg",
  ".wmv",
  ".flv",
  ".ogv",
  ".3gp",
  ".ts",
  ".mts",
  ".m2ts",
  ".y4m",
  ".nut",
];

/** Extensions of still images; one may be a strip of frames side by side. */
export const IMAGE_EXTENSIONS: readonly string[] = [
  ".png",
  ".jpg",
  ".jpeg",
  ".gif",
  ".bmp",
  ".webp",
  ".tif",
  ".tiff",
];

/** The lower-case extension of a path, with its dot, or "" when there is none. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/** Whether a path names a still image by its extension. */
export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(path));
}

/** Whether a path names a video or image file that the data loader reads. */
export function isMediaPath(path: string): boolean {
  const ext = extensionOf(path);
  return VIDEO_EXTENSIONS.includes(ext) || IMAGE_EXTENSIONS.includes(ext);
}
