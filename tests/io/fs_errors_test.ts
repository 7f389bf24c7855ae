import { assertEquals } from "../_assert.ts";
import { fileSystemMessage } from "../../src/io/fs_errors.ts";

async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

Deno.test("file-system errors become one line naming the path and what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/f`;
    await Deno.writeTextFile(file, "x");
    // Deno reports a full disk as a plain Error with code ENOSPC.
    const full = await failure(() => Deno.writeFile("/dev/full", new Uint8Array(8)));
    assertEquals(
      fileSystemMessage(full),
      "cannot write /dev/full: no space left on the device; free some space or write somewhere else",
    );
    assertEquals(
      fileSystemMessage(full, "out.y4m"),
      "cannot write out.y4m: no space left on the device; free some space or write somewhere else",
    );
    assertEquals(
      fileSystemMessage(await failure(() => Deno.mkdir(file))),
      `cannot create folder ${file}: something of that name already exists; remove it or ` +
        "choose another name",
    );
    assertEquals(
      fileSystemMessage(await failure(() => Deno.writeFile(dir, new Uint8Array(1)))),
      `cannot write ${dir}: it is a folder; give a file name`,
    );
    assertEquals(
      fileSystemMessage(await failure(() => Deno.readFile(`${dir}/nope`))),
      `cannot read ${dir}/nope: it does not exist; check the path`,
    );
    // A read-only file system, as Deno words it (mounting one needs root).
    const erofs = Object.assign(
      new Error("Read-only file system (os error 30): rename 'a' -> 'b'"),
      {
        code: "EROFS",
      },
    );
    assertEquals(
      fileSystemMessage(erofs),
      "cannot rename b: the file system is read-only; write somewhere else",
    );
    const denied = new Deno.errors.NotCapable(
      'Requires write access to "/x/y.mp4", run again with the --allow-write flag',
    );
    assertEquals(
      fileSystemMessage(denied),
      "cannot write /x/y.mp4: this program was not given write access; run it with " +
        "--allow-write (or -A)",
    );
    // Not a file-system problem: left to the caller.
    assertEquals(fileSystemMessage(new RangeError("bad")), null);
    assertEquals(fileSystemMessage(new Deno.errors.BrokenPipe("Broken pipe (os error 32)")), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a path with a NUL byte is the user's mistake, named as such", async () => {
  let caught: unknown;
  try {
    await Deno.stat("bad\0name");
  } catch (e) {
    caught = e;
  }
  assertEquals(
    fileSystemMessage(caught, "out.mp4"),
    "out.mp4 contains a NUL byte; no file can be named that way",
  );
  assertEquals(fileSystemMessage(new TypeError("something else")), null);
});
