/**
 * Finding ffmpeg and ffprobe, checking that they run, and asking ffprobe about a file.
 *
 * The binaries are `ffmpeg` and `ffprobe` on PATH unless the environment variables
 * `MOCOGAN_FFMPEG` / `MOCOGAN_FFPROBE` name others (tests use this to simulate a
 * missing ffmpeg).
 *
 * @module
 */

import { DataError } from "./errors.ts";

/** Paths of the binaries in use and ffmpeg's version line. */
export interface FfmpegInfo {
  /** The ffmpeg command (a name on PATH or a path). */
  ffmpeg: string;
  /** The ffprobe command. */
  ffprobe: string;
  /** ffmpeg's first `-version` line, e.g. `ffmpeg version 5.1.6 ...`. */
  version: string;
}

/** What ffprobe says about a file's first video stream. */
export interface VideoProbe {
  /** Frame width in pixels. */
  width: number;
  /** Frame height in pixels. */
  height: number;
  /** Frames per second (0 when unknown). */
  fps: number;
  /** Frame count: exact when the container says so or `countFrames` was set, else an estimate from duration * fps, or 0 when unknown. */
  frames: number;
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: use the defaults
  }
}

/** The ffmpeg command to run: `$MOCOGAN_FFMPEG` or `ffmpeg`. */
export function ffmpegPath(): string {
  return env("MOCOGAN_FFMPEG") ?? "ffmpeg";
}

/** The ffprobe command: `$MOCOGAN_FFPROBE`, else beside a custom ffmpeg, else `ffprobe`. */
export function ffprobePath(): string {
  const probe = env("MOCOGAN_FFPROBE");
  if (probe) return probe;
  const ff = env("MOCOGAN_FFMPEG");
  // A custom ffmpeg path like /opt/ff/bin/ffmpeg usually has its ffprobe next to it.
  if (ff && ff.includes("/") && /ffmpeg[^/]*$/.test(ff)) {
    return ff.replace(/ffmpeg([^/]*)$/, "ffprobe$1");
  }
  return "ffprobe";
}

const checked = new Map<string, Promise<FfmpegInfo>>();

/**
 * Checks once per binary pair that ffmpeg and ffprobe run, and throws a
 * {@linkcode DataError} that says how to install them if not.
 *
 * @example
 * ```ts
 * import { assertFfmpeg } from "./ffmpeg.ts";
 * const { version } = await assertFfmpeg();
 * ```
 */
export function assertFfmpeg(): Promise<FfmpegInfo> {
  const ffmpeg = ffmpegPath();
  const ffprobe = ffprobePath();
  const key = `${ffmpeg}\0${ffprobe}`;
  let info = checked.get(key);
  if (!info) {
    info = (async () => {
      const version = await versionLine(ffmpeg, "ffmpeg", "MOCOGAN_FFMPEG");
      await versionLine(ffprobe, "ffprobe", "MOCOGAN_FFPROBE");
      return { ffmpeg, ffprobe, version };
    })();
    // A failure is not cached, so installing ffmpeg mid-session works on the next call.
    info.catch(() => checked.delete(key));
    checked.set(key, info);
  }
  return info;
}

async function versionLine(cmd: string, name: string, envName: string): Promise<string> {
  const where = cmd === name ? "on PATH" : `at ${cmd} (${envName})`;
  try {
    const out = await new Deno.Command(cmd, {
      args: ["-hide_banner", "-version"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    if (!out.success) throw new Error(`exit code ${out.code}`);
    return new TextDecoder().decode(out.stdout).split("\n")[0].trim();
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) {
      throw new DataError(`running ${name} is not permitted; run deno with --allow-run`);
    }
    throw new DataError(
      `${name} was not found ${where} or does not run; install it (apt-get install ffmpeg, ` +
        `brew install ffmpeg) or set ${envName} to its path`,
      { cause: e },
    );
  }
}

const encoderLists = new Map<string, Promise<Set<string>>>();

/** Whether this ffmpeg has an encoder, e.g. `libvpx-vp9` (the list is read once). */
export async function hasEncoder(name: string): Promise<boolean> {
  const { ffmpeg } = await assertFfmpeg();
  let list = encoderLists.get(ffmpeg);
  if (!list) {
    list = new Deno.Command(ffmpeg, {
      args: ["-hide_banner", "-encoders"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output().then((out) => {
      const names = new Set<string>();
      for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
        const m = /^\s*[VAS][.\w]{5}\s+(\S+)/.exec(line);
        if (m) names.add(m[1]);
      }
      return names;
    });
    encoderLists.set(ffmpeg, list);
  }
  return (await list).has(name);
}

/** Options of {@linkcode probeVideo}. */
export interface ProbeOptions {
  /** Decode the whole file to count frames exactly (slow for long videos; good for GIFs). */
  countFrames?: boolean;
}

/**
 * Asks ffprobe for the size, rate and frame count of a file's first video stream.
 * Throws a {@linkcode DataError} naming the file when ffprobe cannot read it.
 *
 * @example
 * ```ts
 * import { probeVideo } from "./ffmpeg.ts";
 * const { width, height, fps, frames } = await probeVideo("clip.mp4");
 * ```
 */
export async function probeVideo(path: string, options: ProbeOptions = {}): Promise<VideoProbe> {
  const { ffprobe } = await assertFfmpeg();
  const args = ["-v", "error", "-select_streams", "v:0"];
  if (options.countFrames) args.push("-count_frames");
  args.push(
    "-show_entries",
    "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,nb_read_frames,duration" +
      ":format=duration",
    "-of",
    "json",
    "--",
    path,
  );
  const out = await new Deno.Command(ffprobe, { args, stdout: "piped", stderr: "piped" }).output();
  const stderr = lastLine(new TextDecoder().decode(out.stderr));
  if (!out.success) throw new DataError(`cannot read ${path}: ${stderr || "ffprobe failed"}`);
  // deno-lint-ignore no-explicit-any
  const json: any = JSON.parse(new TextDecoder().decode(out.stdout));
  const s = json.streams?.[0];
  if (!s || !s.width || !s.height) throw new DataError(`${path} has no video stream`);
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate);
  const duration = Number(s.duration ?? json.format?.duration ?? 0) || 0;
  const exact = Number(s.nb_read_frames ?? s.nb_frames ?? 0) || 0;
  return {
    width: s.width,
    height: s.height,
    fps,
    frames: exact || Math.round(duration * fps),
  };
}

function rate(r: string | undefined): number {
  if (!r) return 0;
  const [n, d] = r.split("/").map(Number);
  return d ? n / d : n || 0;
}

/** The last non-empty line of a tool's stderr, for one-line error messages. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.at(-1) ?? "";
}
