/** Test helpers: small media files made with ffmpeg in a temporary folder. */

import { join } from "node:path";

/**
 * Runs ffmpeg quietly and returns stdout; throws with stderr on failure. A string is
 * split at spaces (fine for the paths and filters used here).
 */
export async function ffmpeg(args: string[] | string, stdin?: Uint8Array): Promise<Uint8Array> {
  const list = typeof args === "string" ? args.trim().split(/\s+/) : args;
  const child = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...list],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return out.stdout;
}

/** ffprobe's count of decoded frames and the size of a file's video stream. */
export async function probeCount(
  path: string,
): Promise<{ frames: number; width: number; height: number; codec: string }> {
  const args = "-v error -count_frames -select_streams v:0 -of json -show_entries " +
    "stream=nb_read_frames,width,height,codec_name";
  const out = await new Deno.Command("ffprobe", {
    args: [...args.split(" "), path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const s = JSON.parse(new TextDecoder().decode(out.stdout)).streams[0];
  return {
    frames: Number(s.nb_read_frames),
    width: s.width,
    height: s.height,
    codec: s.codec_name,
  };
}

/** A `testsrc` video of `frames` frames at `w`x`h`, 25 fps, near-lossless H.264. */
export async function makeTestsrc(
  path: string,
  { w = 48, h = 40, frames = 20 }: { w?: number; h?: number; frames?: number } = {},
): Promise<string> {
  await ffmpeg(
    `-f lavfi -i testsrc=size=${w}x${h}:rate=25 -frames:v ${frames} ` +
      `-c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv444p ${path}`,
  );
  return path;
}

/** A strip PNG of `n` square `s`x`s` testsrc frames side by side. */
export async function makeStrip(path: string, n = 5, s = 24): Promise<string> {
  await ffmpeg(`-f lavfi -i testsrc=size=${s}x${s}:rate=25 -vf tile=${n}x1 -frames:v 1 ${path}`);
  return path;
}

/** A fresh temporary folder; remove it with `Deno.remove(dir, { recursive: true })`. */
export function tempDir(): Promise<string> {
  return Deno.makeTempDir({ prefix: "mocogan-video-test-" });
}

/** A fresh 64 KiB tmpfs, or null where this process may not mount one (not root). */
export async function tinyDisk(): Promise<string | null> {
  if (Deno.uid() !== 0) return null;
  const dir = await tempDir();
  const r = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir],
    stderr: "null",
  }).output();
  if (r.success) return dir;
  await Deno.remove(dir);
  return null;
}

/** Unmounts and removes a folder from {@linkcode tinyDisk}. */
export async function removeTinyDisk(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir] }).output();
  await Deno.remove(dir);
}

/** Mean absolute difference of two byte arrays of the same length. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** A ReadableStream that hands out `bytes` in chunks of `chunk` bytes (partial reads). */
export function chunkedStream(bytes: Uint8Array, chunk = 7): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream({
    pull(controller) {
      if (pos >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(pos, pos + chunk));
      pos += chunk;
    },
  });
}

/** Splits raw rgb24 bytes into frames of `w`x`h`. */
export function splitFrames(bytes: Uint8Array, w: number, h: number): Uint8Array[] {
  const n = w * h * 3, out = [];
  for (let o = 0; o + n <= bytes.length; o += n) out.push(bytes.slice(o, o + n));
  return out;
}

export { join };
