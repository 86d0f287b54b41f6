/**
 * The fast path's writer: straight to file descriptors 1 and 2. Touching `process.stdout` builds a stream (on a
 * pipe, a socket), which costs more than the rest of a cache hit; the stream takes over only when the descriptor
 * refuses (a full non-blocking pipe, or an error, which the stream then reports as the oclif path's would).
 */
import { writeSync } from "node:fs";
import type { Output } from "../output.js";

function writeTo(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch {
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(offset));
  }
}

export const fdOutput: Output = {
  out: (text) => writeTo(1, text),
  err: (text) => writeTo(2, text),
};
