/** The frames a quant-ws emulator received, bounded, and waiting for one (tests, demos). */
import type { ReceivedFrame } from "../quant-ws.js";

/** Kept: the last 10 000 frames, and at most 16 MiB of frame text. */
const MAX_FRAMES = 10_000;
const MAX_BYTES = 16 * 1024 * 1024;

export class FrameLog {
  readonly received: ReceivedFrame[] = [];
  private readonly sizes: number[] = [];
  private keptBytes = 0;
  private readonly watchers = new Set<(f: ReceivedFrame) => void>();

  record(socket: number, frame: Record<string, unknown> | string, bytes: number): void {
    const r: ReceivedFrame = { socket, frame };
    this.received.push(r);
    this.sizes.push(bytes);
    this.keptBytes += bytes;
    while (this.received.length > MAX_FRAMES || (this.keptBytes > MAX_BYTES && this.received.length > 1)) {
      this.received.shift();
      this.keptBytes -= this.sizes.shift()!;
    }
    for (const w of [...this.watchers]) w(r);
  }

  /** Resolves when a frame matching `test` arrives (or has arrived). */
  waitFor(test: (f: ReceivedFrame) => boolean, timeoutMs: number): Promise<ReceivedFrame> {
    const hit = this.received.find(test);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.watchers.delete(watch);
        reject(new Error(`quant-ws mock: no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const watch = (f: ReceivedFrame) => {
        if (!test(f)) return;
        clearTimeout(t);
        this.watchers.delete(watch);
        resolve(f);
      };
      this.watchers.add(watch);
    });
  }
}
