import { assert, assertEquals } from "../_assert.ts";
import { listMediaFiles } from "../../src/video/folder_walk.ts";
import { loadVideoSet } from "../../src/video/mod.ts";
import { join, makeTestsrc, tempDir } from "./_fixtures.ts";

/**
 * L/a/x.mp4, L/b/y.mp4, and around them: links back up the tree (L/self -> ., L/up ->
 * ../L, L/a/loop -> ..), a second name for a category (L/c -> a), a second name for a
 * file (L/b/z.mp4 -> ../a/x.mp4), a broken link, a FIFO, a socket and a device.
 */
async function makeLoopyTree(dir: string): Promise<{ root: string; socket: Deno.Listener }> {
  const root = join(dir, "L");
  await Deno.mkdir(join(root, "a"), { recursive: true });
  await Deno.mkdir(join(root, "b"));
  await makeTestsrc(join(root, "a/x.mp4"), { frames: 4, w: 16, h: 16 });
  await makeTestsrc(join(root, "b/y.mp4"), { frames: 3, w: 16, h: 16 });
  await Deno.symlink(".", join(root, "self"));
  await Deno.symlink("../L", join(root, "up"));
  await Deno.symlink("..", join(root, "a/loop"));
  await Deno.symlink("a", join(root, "c"));
  await Deno.symlink("../a/x.mp4", join(root, "b/z.mp4"));
  await Deno.symlink("gone.mp4", join(root, "b/broken.mp4"));
  await Deno.symlink("/dev/null", join(root, "b/null.mp4"));
  const fifo = await new Deno.Command("mkfifo", { args: [join(root, "a/pipe.mp4")] }).output();
  assert(fifo.success, "mkfifo failed");
  // Deno removes the socket file on close, so the caller closes it when done.
  const socket = Deno.listen({ transport: "unix", path: join(root, "b/sock.mp4") });
  return { root, socket };
}

Deno.test("listMediaFiles: link loops end, duplicates and special files are skipped", async () => {
  const dir = await tempDir();
  try {
    const { root, socket } = await makeLoopyTree(dir);
    const warnings: string[] = [];
    const items = await listMediaFiles(root, (m) => warnings.push(m));
    socket.close();
    assertEquals(items.map((i) => [i.name, i.category]), [["a/x.mp4", "a"], ["b/y.mp4", "b"]]);
    assertEquals(warnings.sort(), [
      "skipping a/loop: a link to the folder ., already read",
      "skipping a/pipe.mp4: a FIFO (named pipe), not a regular file or folder",
      "skipping b/broken.mp4: a broken symbolic link",
      "skipping b/null.mp4: a device, not a regular file or folder",
      "skipping b/sock.mp4: a socket, not a regular file or folder",
      "skipping b/z.mp4: the same file as a/x.mp4, already read",
      "skipping c: a link to the folder a, already read",
      "skipping self: a link to the folder ., already read",
      "skipping up: a link to the folder ., already read",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadVideoSet: a folder with link loops loads each video once, no invented category", async () => {
  const dir = await tempDir();
  try {
    const { root, socket } = await makeLoopyTree(dir);
    const warnings: string[] = [];
    const set = await loadVideoSet({ data: root, size: 8, onWarning: (m) => warnings.push(m) });
    socket.close();
    assertEquals(set.categories, ["a", "b"]);
    assertEquals(set.videos.map((v) => [v.name, v.frames.length]), [["a/x.mp4", 4], [
      "b/y.mp4",
      3,
    ]]);
    assertEquals(warnings.length, 9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
