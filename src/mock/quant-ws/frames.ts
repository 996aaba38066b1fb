/** The frames a quant-ws emulator received, bounded, and waiting for one (tests, demos). */
import { NumberTooLongError, parseJson } from "../../handwritten/core/json.js";
import { BoundedLog } from "../bounded-log.js";
import type { ReceivedFrame } from "../quant-ws.js";

/** Kept: the last 10 000 frames, and at most 16 MiB of frame text. */
const MAX_FRAMES = 10_000;
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * A frame's JSON as the gateway reads it: an integer beyond 2^53 with every digit (a bigint:
 * `9007199254740993` was read as …992, an order number sent as a number named another order),
 * a decimal as the nearest double (as the gateway's own JSON reader makes it). An integer of
 * more digits than parseJson reads (no int64 has them) is what JSON.parse makes of it
 * (Infinity), for the handler to refuse. Throws SyntaxError on text that is no JSON.
 */
export function readFrame(text: string): unknown {
  try {
    return parseJson(text, { decimals: "number" });
  } catch (e) {
    if (e instanceof NumberTooLongError) return JSON.parse(text) as unknown;
    throw e;
  }
}

export class FrameLog {
  private readonly log = new BoundedLog<ReceivedFrame>(MAX_FRAMES, MAX_BYTES);
  private readonly watchers = new Set<(f: ReceivedFrame) => void>();

  /** Frames received, oldest first. */
  get received(): ReceivedFrame[] {
    return this.log.items;
  }

  /**
   * Keep a frame's text (`json`: it is a JSON object, read again each time `frame` is asked, as
   * readFrame reads it): the parsed value of a frame of many small objects took twenty times its
   * text's memory, and the log counts the text.
   */
  record(socket: number, text: string, json: boolean): void {
    const r: ReceivedFrame = json
      ? {
          socket,
          get frame() {
            return readFrame(text) as Record<string, unknown>;
          },
        }
      : { socket, frame: text };
    this.log.push(r, text.length);
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
