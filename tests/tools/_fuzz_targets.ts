/** Fuzz targets that misbehave on purpose, to show that the runner tells each outcome apart. */
import type { FuzzTarget } from "../../tools/fuzz/target.ts";
import { DataError } from "../../src/video/errors.ts";

function target(name: string, run: FuzzTarget["run"]): FuzzTarget {
  return {
    name,
    module: import.meta.url,
    weight: 1,
    timeoutMs: 2000,
    make: () => ({ bytes: new Uint8Array(0), params: {} }),
    run,
  };
}

/** Throws the error a user would be told about. */
export const userError: FuzzTarget = target("user-error", () => {
  throw new DataError("bad input; fix it");
});
/** Crashes. */
export const crash: FuzzTarget = target("crash", () => {
  throw new TypeError("undefined is not a function");
});
/** Never returns (synchronously busy). */
export const spin: FuzzTarget = target("spin", () => {
  for (;;) { /* stuck */ }
});
/** Holds 100 MiB, touched. */
export const hog: FuzzTarget = target(
  "hog",
  () => Promise.resolve(new Uint8Array(100 * 2 ** 20).fill(1)),
);
/** Leaves a rejected promise behind and returns. */
export const stray: FuzzTarget = target("stray", () => {
  setTimeout(() => Promise.reject(new Error("late failure")), 0);
  return new Promise((r) => setTimeout(r, 50));
});
