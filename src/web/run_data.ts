/**
 * What the training page shows about runs, as the server sends it and as `report`
 * embeds it: shared by the server and the browser script (no `Deno.*` here).
 *
 * @module
 */

/** One logged step: `step` and whatever else the trainer wrote (losses, scores, ...). */
export type LogEntry = Record<string, unknown>;

/** The sample files written at one step, as URLs (server paths or `data:` URLs). */
export interface SampleSet {
  /** The training step. */
  step: number;
  /** The tiled sample video (`.mp4`, `.webm` or `.gif`), if written. */
  video?: string;
  /** The frame grid (`.png`), if written. */
  image?: string;
}

/** Where the pages fetch the model shipped with the program. */
export const BUILTIN_MODEL_PATH = "/models/shapes.safetensors";

/** A checkpoint the generation page can load. */
export interface CheckpointRef {
  /** File name inside the run (`latest.safetensors`, `checkpoints/step_000500.safetensors`). */
  name: string;
  /** Where to fetch it. */
  url: string;
}

/** A run as the pages see it. */
export interface RunInfo {
  /** Index in the server's run list (part of the API paths). */
  id: number;
  /** The name shown (the folder's name, or its path when names repeat). */
  name: string;
  /** `RUN/config.json` as written by `train` (null when missing or unreadable). */
  config: unknown;
  /** Sample sets by ascending step. */
  samples: SampleSet[];
  /** Checkpoints, latest first. */
  checkpoints: CheckpointRef[];
}

/** New log lines of a run since a byte offset (`GET /api/runs/ID/log?offset=N`). */
export interface LogChunk {
  /** Entries in file order. */
  entries: LogEntry[];
  /** Where the next request continues (after the last complete line). */
  offset: number;
  /** True when the log was rewritten (shorter than the offset asked): drop what was read. */
  reset: boolean;
  /** The run's samples now (new ones appear while it trains). */
  samples: SampleSet[];
}

/** Everything `report` embeds: the runs and their full logs. */
export interface EmbeddedRuns {
  /** The runs. */
  runs: RunInfo[];
  /** `logs[i]` holds every entry of `runs[i]`. */
  logs: LogEntry[][];
}

/** Id of the `<script type="application/json">` element holding {@linkcode EmbeddedRuns}. */
export const EMBEDDED_DATA_ID = "mocogan-data";
