/**
 * Time to first step and peak resident memory of `train` against the number of videos
 * (issue 10 item 4): N small synthetic videos are cut from one long ffmpeg `testsrc2`
 * stream, and `train` runs 2 steps of the `tiny` preset at 32 px on them twice, the first
 * start building the frame cache, the second reusing it (`--image-size`, `--frames` per
 * video change the sizes). `--baseline DIR` also runs the
 * program checked out at DIR (e.g. the commit before the cache, which held every frame in
 * memory) once per N. `--memory-limit BYTES` runs every start inside a memory cgroup with
 * that limit (cgroup v2 `memory.max`, or v1 `memory.limit_in_bytes` with the swap limit
 * equal; needs root), to show training on data whose decoded frames exceed the memory the
 * process may use.
 *
 *   deno run -A bench/data_scaling.ts --counts 100,1000,10000 \
 *     --json bench/results/data-scaling-2026-11-29.json [--baseline /tmp/before]
 *
 * An existing `--json` file gets the invocation added to its `invocations`.
 *
 * Peak resident memory is the training process's VmHWM (/proc/PID/status, read until it
 * exits); ffmpeg's decoders are separate processes of a few MiB each and are not counted.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    counts: { type: "string", default: "100,1000" },
    frames: { type: "string", default: "24" },
    "image-size": { type: "string", default: "32" },
    "video-length": { type: "string" },
    work: { type: "string", default: "/tmp/mocogan-data-scaling" },
    json: { type: "string" },
    baseline: { type: "string" },
    "memory-limit": { type: "string" },
    note: { type: "string", default: "" },
  },
});
const counts = values.counts.split(",").map(Number);
const framesPerVideo = Number(values.frames);
const imageSize = Number(values["image-size"]);
const work = resolve(values.work);
const root = new URL("../", import.meta.url).pathname;
const memoryLimit = values["memory-limit"] ? Number(values["memory-limit"]) : undefined;
// 8 frames a second, a key frame every video: `-f segment` cuts at exactly those frames.
const RATE = 8;

/** One start of `train`, measured. */
interface Start {
  /** Exit status. */
  code: number;
  /** Seconds from spawning the process to its `step 1/2` line (undefined: never reached). */
  firstStepSec?: number;
  /** Seconds until it exited. */
  wallSec: number;
  /** Peak resident set of the process (VmHWM), bytes. */
  peakRssBytes: number;
  /** The cgroup's peak usage (memory and page cache), bytes, under --memory-limit. */
  cgroupPeakBytes?: number;
  /** The data line, e.g. `data: 100 videos, 2400 frames of 32x32`. */
  dataLine?: string;
  /** The last stderr line (the error, for a failed start). */
  lastLine: string;
}

async function run(cmd: string[], what: string): Promise<void> {
  const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), stderr: "piped" }).output();
  if (!out.success) throw new Error(`${what}: ${new TextDecoder().decode(out.stderr)}`);
}

/** N videos of `framesPerVideo` frames at 64x48 in `dir` (kept for later runs). */
async function makeVideos(n: number, dir: string): Promise<number> {
  try {
    if ([...Deno.readDirSync(dir)].length === n) return 0;
  } catch { /* not made yet */ }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const f = framesPerVideo;
  await run([
    "ffmpeg",
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=64x48:rate=${RATE}`,
    "-frames:v",
    String(n * f),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-g",
    String(f),
    "-keyint_min",
    String(f),
    "-sc_threshold",
    "0",
    "-f",
    "segment",
    "-segment_time",
    String(f / RATE),
    "-reset_timestamps",
    "1",
    join(dir, "%05d.mp4"),
  ], "making videos"); // deno-fmt-ignore
  const made = [...Deno.readDirSync(dir)].length;
  if (made !== n) throw new Error(`ffmpeg cut ${made} videos, not ${n}`);
  return (performance.now() - t0) / 1000;
}

/** A memory cgroup limited to `limit` bytes; returns its folder (v1 or v2). */
function makeCgroup(limit: number): { dir: string; peakFile: string } {
  const own = Deno.readTextFileSync("/proc/self/cgroup").split("\n");
  const v2 = "/sys/fs/cgroup/cgroup.controllers";
  const tag = `mocogan-bench-${Deno.pid}`;
  try {
    Deno.statSync(v2);
    const path = own.find((l) => l.startsWith("0::"))!.slice(3);
    const dir = join("/sys/fs/cgroup", path, tag);
    Deno.mkdirSync(dir);
    Deno.writeTextFileSync(join(dir, "memory.max"), String(limit));
    Deno.writeTextFileSync(join(dir, "memory.swap.max"), "0");
    return { dir, peakFile: join(dir, "memory.peak") };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const path = own.map((l) => l.split(":")).find((p) => p[1] === "memory")![2];
  const dir = join("/sys/fs/cgroup/memory", path, tag);
  Deno.mkdirSync(dir);
  Deno.writeTextFileSync(join(dir, "memory.limit_in_bytes"), String(limit));
  try {
    Deno.writeTextFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(limit));
  } catch { /* no swap accounting: no swap to fall back on either */ }
  return { dir, peakFile: join(dir, "memory.max_usage_in_bytes") };
}

/** Runs `deno run -A CLI train ...args`, in `cgroup` when given, and measures it. */
async function start(
  cli: string,
  args: string[],
  cgroup?: { dir: string; peakFile: string },
): Promise<Start> {
  const deno = Deno.execPath();
  const argv = [deno, "run", "-A", cli, "train", ...args];
  // The shell joins the cgroup, then becomes the training process (same PID).
  const script = cgroup ? `echo $$ > ${cgroup.dir}/cgroup.procs && exec "$@"` : `exec "$@"`;
  if (cgroup) {
    try {
      Deno.writeTextFileSync(cgroup.peakFile, "0"); // v1: reset the peak
    } catch { /* v2's memory.peak resets with a new cgroup only */ }
  }
  const t0 = performance.now();
  const child = new Deno.Command("sh", {
    args: ["-c", script, "sh", ...argv],
    stdout: "null",
    stderr: "piped",
    env: { XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp" },
  }).spawn();
  let peak = 0, firstStepSec: number | undefined, dataLine: string | undefined, last = "";
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${child.pid}/status`));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch { /* exited */ }
  }, 50);
  let pending = "";
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.trim()) last = line;
      if (firstStepSec === undefined && /^step 1\//.test(line)) {
        firstStepSec = (performance.now() - t0) / 1000;
      }
      if (line.startsWith("data: ")) dataLine = line;
    }
  }
  const status = await child.status;
  clearInterval(poll);
  const wallSec = (performance.now() - t0) / 1000;
  const cgroupPeakBytes = cgroup
    ? Number(Deno.readTextFileSync(cgroup.peakFile).trim())
    : undefined;
  return {
    code: status.code,
    firstStepSec,
    wallSec,
    peakRssBytes: peak,
    cgroupPeakBytes,
    dataLine,
    lastLine: last,
  };
}

const trainArgs = (data: string, out: string) => [
  "--data",
  data,
  "--preset",
  "tiny",
  "--image-size",
  String(imageSize),
  // 64 px needs clips of 16 frames (the video discriminator halves time 4 times).
  ...(values["video-length"] ? ["--video-length", values["video-length"]] : []),
  "--steps",
  "2",
  "--log-every",
  "1",
  "--sample-every",
  "0",
  "--checkpoint-every",
  "0",
  "--out",
  out,
  "--overwrite",
];

const cgroup = memoryLimit ? makeCgroup(memoryLimit) : undefined;
const results = [];
try {
  for (const n of counts) {
    const videos = join(work, `videos-${n}x${framesPerVideo}`);
    const makeSec = await makeVideos(n, videos);
    const sourceBytes = [...Deno.readDirSync(videos)]
      .reduce((s, e) => s + Deno.statSync(join(videos, e.name)).size, 0);
    const tag = `${n}x${framesPerVideo}-${imageSize}`;
    const cacheDir = join(work, `cache-${tag}`);
    await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
    const args = (what: string) => [
      ...trainArgs(videos, join(work, `run-${tag}-${what}`)),
      "--cache-dir",
      cacheDir,
    ];
    console.error(`${n} videos: building start`);
    const build = await start(join(root, "cli.ts"), args("build"), cgroup);
    console.error(`  ${JSON.stringify(build)}`);
    console.error(`${n} videos: cached start`);
    const cached = await start(join(root, "cli.ts"), args("cached"), cgroup);
    console.error(`  ${JSON.stringify(cached)}`);
    let inMemory: Start | undefined;
    if (values.baseline) {
      console.error(`${n} videos: baseline (${values.baseline})`);
      const cli = join(resolve(values.baseline), "cli.ts");
      inMemory = await start(cli, trainArgs(videos, join(work, `run-${tag}-base`)), cgroup);
      console.error(`  ${JSON.stringify(inMemory)}`);
    }
    if (build.code !== 0) throw new Error(`the building start failed: ${build.lastLine}`);
    const cacheBytes = [...Deno.readDirSync(cacheDir)]
      .reduce((s, e) => s + Deno.statSync(join(cacheDir, e.name)).size, 0);
    const frames = n * framesPerVideo;
    results.push({
      videos: n,
      framesPerVideo,
      frames,
      imageSize,
      decodedBytes: frames * imageSize * imageSize * 3,
      cacheBytes,
      sourceBytes,
      makeVideosSec: makeSec,
      build,
      cached,
      ...(inMemory ? { inMemory } : {}),
    });
  }
} finally {
  // A cgroup can be removed once its last process is gone, which may take a moment.
  for (let i = 0; cgroup && i < 50; i++) {
    if (await Deno.remove(cgroup.dir).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1];
const invocation = {
  date: new Date().toISOString(),
  command: `deno run -A bench/data_scaling.ts ${Deno.args.join(" ")}`,
  note: values.note,
  memoryLimitBytes: memoryLimit ?? null,
  train: `train ${trainArgs("DIR", "RUN").join(" ")} --cache-dir CACHE`,
  results,
};
// --json FILE that exists gets this invocation added to its list (one file per day).
let report: { machine: unknown; invocations: unknown[] } = {
  machine: {
    cpu,
    cpus: navigator.hardwareConcurrency,
    memoryBytes: Deno.systemMemoryInfo().total,
    deno: Deno.version.deno,
  },
  invocations: [],
};
if (values.json) {
  try {
    report = JSON.parse(await Deno.readTextFile(values.json));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
report.invocations.push(invocation);
const text = JSON.stringify(report, null, 2) + "\n";
if (values.json) await Deno.writeTextFile(values.json, text);
else console.log(text);
