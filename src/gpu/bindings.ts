/**
 * The storage bindings a generated kernel declares, read from its WGSL, so that every
 * launch is checked against them: a launch must bind exactly the declared buffers, and
 * ops can bind them by name instead of by position.
 *
 * @module
 */

const DECLARATION = /@binding\((\d+)\)\s*var<storage,\s*(?:read|read_write)>\s*(\w+)/g;
const parsed = new Map<string, readonly string[]>();

/**
 * The names of `code`'s group-0 storage bindings in binding order (parsed once per
 * source). Throws when the bindings are not numbered 0, 1, 2, ... without gaps.
 */
export function kernelBindings(code: string): readonly string[] {
  let names = parsed.get(code);
  if (!names) {
    const found: string[] = [];
    for (const [, index, name] of code.matchAll(DECLARATION)) found[Number(index)] = name;
    for (let i = 0; i < found.length; i++) {
      if (found[i] === undefined) throw new Error(`a kernel declares no binding ${i}`);
    }
    names = found;
    parsed.set(code, names);
  }
  return names;
}
