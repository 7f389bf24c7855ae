/**
 * Minimal assertions for the video tests (JSR's @std/assert is not reachable here).
 * Same names and argument order as @std/assert, so they can be swapped later.
 */

/** Throws when `cond` is false. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>, y = b as unknown as ArrayLike<number>;
    if (a.constructor !== b.constructor || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

function show(v: unknown): string {
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v as unknown as ArrayLike<number>);
    return `${v.constructor.name}(${arr.length}) [${arr.slice(0, 16).join(", ")}${
      arr.length > 16 ? ", ..." : ""
    }]`;
  }
  return JSON.stringify(v);
}

/** Deep equality (arrays, plain objects, typed arrays). */
export function assertEquals(actual: unknown, expected: unknown, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new Error(`${msg ? msg + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Deep inequality. */
export function assertNotEquals(actual: unknown, expected: unknown, msg?: string): void {
  if (equal(actual, expected)) throw new Error(`${msg ? msg + ": " : ""}both are ${show(actual)}`);
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = new (...args: any[]) => E;

function checkError<E extends Error>(e: unknown, cls?: ErrorClass<E>, includes?: string): E {
  if (cls && !(e instanceof cls)) {
    throw new Error(
      `expected ${cls.name}, got ${e instanceof Error ? e.name + ": " + e.message : e}`,
    );
  }
  const err = e as E;
  if (includes !== undefined && !String(err?.message).includes(includes)) {
    throw new Error(`expected error message to include "${includes}", got "${err?.message}"`);
  }
  return err;
}

/** Expects `fn` to throw (an instance of `cls`, with `includes` in its message). */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  cls?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    return checkError(e, cls, includes);
  }
  throw new Error("expected function to throw");
}

/** Expects the promise returned by `fn` to reject (like {@linkcode assertThrows}). */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  cls?: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, cls, includes);
  }
  throw new Error("expected promise to reject");
}
