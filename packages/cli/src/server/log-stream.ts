/**
 * Follows a task's output as a stream: server-sent events (`id:` is the cursor after the
 * line, so a client can resume with `cursor`) or plain lines in a chunked response. The
 * stream ends when the task ends or the client goes away.
 */
import type { OutputRing } from "./output-ring.ts";

const PAGE = 1000;
const encoder = new TextEncoder();

function sseEvent(line: string, cursor: number): string {
  return `id: ${cursor}\ndata: ${line.replaceAll("\r", "").split("\n").join("\ndata: ")}\n\n`;
}

/** The body of a following response, starting at `cursor`. */
export function followStream(ring: OutputRing, cursor: number, sse: boolean, signal: AbortSignal): ReadableStream<Uint8Array> {
  let at = cursor;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (signal.aborted) return controller.close();
        const page = ring.read(at, PAGE);
        if (page.lines.length > 0 || page.missed > 0) {
          let text = sse && page.missed > 0 ? `event: missed\ndata: ${page.missed}\n\n` : "";
          page.lines.forEach((line, i) => (text += sse ? sseEvent(line, page.next - page.lines.length + i + 1) : `${line}\n`));
          at = page.next;
          if (text) return controller.enqueue(encoder.encode(text));
          continue;
        }
        if (ring.closed) {
          if (sse) controller.enqueue(encoder.encode("event: end\ndata: \n\n"));
          return controller.close();
        }
        await ring.waitBeyond(at, signal);
      }
    },
  });
}
