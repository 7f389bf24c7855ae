/**
 * Listing the media files below a data folder, following symbolic links safely: every
 * folder and file is identified by its real path, so a link back up the tree (`ln -s .
 * self`, `ln -s ../data data/up`) is neither followed forever nor read twice, and a
 * link to something already listed adds no video and no category. FIFOs, sockets and
 * devices are skipped without being opened (opening a FIFO blocks until a writer comes).
 *
 * @module
 */

import { join, relative } from "node:path";
import { fileKind } from "../io/file_kind.ts";
import { isMediaPath } from "./formats.ts";

/** One media file found by {@linkcode listMediaFiles}. */
export interface FolderItem {
  /** Path to open (below the root as given, links not resolved). */
  path: string;
  /** Path relative to the root, shown in messages. */
  name: string;
  /** The first-level sub-folder's name, or "default" for files directly in the root. */
  category: string;
}

/** A directory entry still to look at: where it is, and whether it is a symbolic link. */
interface Pending {
  path: string;
  isSymlink: boolean;
}

/**
 * Every media file below `root` (names starting with "." are ignored), with its category.
 * Entries reached without links come first, in sorted depth-first order; entries reached
 * through links follow, so that when a file or folder is reachable both ways its real
 * location is the one listed. Anything skipped for a reason the user may not expect
 * (a loop, a duplicate, a broken link, a FIFO, socket or device) gets one `onWarning` line.
 *
 * @example
 * ```ts
 * import { listMediaFiles } from "./folder_walk.ts";
 * const items = await listMediaFiles("videos", console.warn);
 * console.log(items.map((i) => `${i.category}: ${i.name}`));
 * ```
 */
export async function listMediaFiles(
  root: string,
  onWarning: (message: string) => void = () => {},
): Promise<FolderItem[]> {
  const items: FolderItem[] = [];
  const seen = new Map<string, string>(); // real path -> name it was first listed under
  const links: Pending[] = [];
  const nameOf = (path: string) => relative(root, path) || ".";

  const visit = async (entry: Pending): Promise<void> => {
    const name = nameOf(entry.path);
    let info: Deno.FileInfo, real: string;
    try {
      info = await Deno.stat(entry.path);
      real = await Deno.realPath(entry.path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      // A link whose target is gone (a NotFound on a plain entry: it was just deleted).
      if (entry.isSymlink) onWarning(`skipping ${name}: a broken symbolic link`);
      return;
    }
    const kind = fileKind(info);
    if (kind !== "file" && kind !== "folder") {
      onWarning(`skipping ${name}: a ${kind}, not a regular file or folder`);
      return;
    }
    if (!info.isDirectory && !isMediaPath(entry.path)) return;
    const first = seen.get(real);
    if (first !== undefined) {
      const what = info.isDirectory ? "a link to the folder" : "the same file as";
      onWarning(`skipping ${name}: ${what} ${first}, already read`);
      return;
    }
    seen.set(real, name);
    if (!info.isDirectory) {
      const parts = name.split("/");
      items.push({ path: entry.path, name, category: parts.length > 1 ? parts[0] : "default" });
      return;
    }
    const entries: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(entry.path)) if (!e.name.startsWith(".")) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = { path: join(entry.path, e.name), isSymlink: e.isSymlink };
      // Links wait until everything reachable without them has been seen.
      if (e.isSymlink) links.push(child);
      else await visit(child);
    }
  };

  await visit({ path: root, isSymlink: false });
  // Visiting a linked folder may queue more links; each real path is entered once, so
  // the queue runs dry.
  for (let i = 0; i < links.length; i++) await visit(links[i]);
  return items;
}
