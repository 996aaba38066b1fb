/**
 * Reads the Xele JSON envelope `{code, msg, result}` incrementally (pipe-row-stream.ts):
 * `result` (a string, or an array of strings) is streamed as it arrives, every other member
 * is collected and JSON-parsed. Three jobs, three parts: the envelope's structure
 * (EnvelopeReader), streaming a JSON string's content (streamJsonString), collecting any
 * other member's value (ValueCollector).
 */
import { quoted, type ErrorContext } from "../core/errors.js";
import { NumberTooLongError, parseJson } from "../core/json.js";
import { PipeRowsError } from "./pipe-rows-error.js";

const enum St {
  Start,
  KeyOrEnd,
  KeyAfterComma,
  ResultArrayItemAfterComma,
  Key,
  Colon,
  Value,
  ResultString,
  ResultArrayItem,
  ResultArrayString,
  ResultArraySep,
  Generic,
  AfterValue,
  Done,
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

const MEMBER_JSON = { decimals: "number" } as const;

/** What is wrong with the envelope; `push` makes it a PipeRowsError naming the operation. */
class Malformed {
  constructor(readonly message: string) {}
}

function fail(message: string): never {
  throw new Malformed(message);
}

/**
 * Index of the closing quote of a JSON string whose content starts at i (escaped quotes
 * skipped), or -1. Native searches: a quote is escaped when an odd run of backslashes ends
 * right before it. (A trailing lone backslash waits for its escaped character: -1.)
 */
function stringEnd(t: string, i: number): number {
  for (let q = t.indexOf('"', i); q !== -1; q = t.indexOf('"', q + 1)) {
    let b = q;
    while (b > i && t.charCodeAt(b - 1) === 92) b--;
    if ((q - b) % 2 === 0) return q;
  }
  return -1;
}

/**
 * Stream a JSON string's content from i to `onText` (escapes decoded). Returns the index of
 * its closing quote, or `{ carry }`: the chunk ended inside an escape, which waits for the
 * next chunk (the carry is prepended to it).
 */
function streamJsonString(t: string, i: number, onText: (text: string) => void): number | { carry: string } {
  // The string ends in this chunk (an answer given whole, a stream's last chunk): one native
  // JSON.parse of its literal. Anything it refuses is named by the loop below.
  const close = stringEnd(t, i);
  if (close !== -1) {
    let text: string | undefined;
    try {
      // Right after its opening quote, the literal is a slice of the chunk (no copy to flatten).
      text = JSON.parse(i > 0 && t.charCodeAt(i - 1) === 34 ? t.slice(i - 1, close + 1) : `"${t.slice(i, close)}"`) as string;
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      if (text) onText(text);
      return close;
    }
  }
  const n = t.length;
  let run = i;
  for (let j = i; j < n; j++) {
    const ch = t.charCodeAt(j);
    if (ch < 32) fail("a control character inside the envelope's result string (not valid JSON)");
    if (ch === 34) {
      if (j > run) onText(t.slice(run, j));
      return j;
    }
    if (ch === 92) {
      if (j > run) onText(t.slice(run, j));
      const e = t[j + 1];
      if (e === undefined || (e === "u" && j + 6 > n)) return { carry: t.slice(j) };
      if (e === "u") {
        const hex = t.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(`bad escape \\u${hex} in the envelope's result`);
        onText(String.fromCharCode(parseInt(hex, 16)));
        j += 5;
      } else {
        const out = ESCAPES[e];
        if (out === undefined) fail(`bad escape \\${e} in the envelope's result`);
        onText(out);
        j += 1;
      }
      run = j + 1;
    }
  }
  if (n > run) onText(t.slice(run));
  return { carry: "" };
}

/** Collects one member value (not `result`) across chunks, up to the "," or "}" after it. */
class ValueCollector {
  private raw = "";
  private depth = 0;
  private inString = false;
  private escaped = false;

  get size(): number {
    return this.raw.length;
  }

  reset(): void {
    this.raw = "";
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /** Read from i: the index where the value ended (at the "," or "}" after it), or -1 (wait for more). */
  read(t: string, i: number): number {
    const n = t.length;
    let j = i;
    for (; j < n; j++) {
      const c = t[j]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === "\\") this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === "{" || c === "[") this.depth++;
      else if (c === "}" || c === "]") {
        if (this.depth === 0) break;
        this.depth--;
      } else if (c === "," && this.depth === 0) break;
    }
    this.raw += t.slice(i, j);
    return j < n ? j : -1;
  }

  /**
   * The collected value, parsed (`name` for the error) as a whole answer is: an integer beyond
   * 2^53 a bigint (a vendor code keeps every digit), a decimal the nearest double.
   */
  value(name: string): unknown {
    try {
      return parseJson(this.raw, MEMBER_JSON);
    } catch (e) {
      return fail(`member ${quoted(name)} of the JSON envelope is not valid JSON${e instanceof NumberTooLongError ? `: ${e.message}` : ""}`);
    } finally {
      this.raw = "";
    }
  }
}

/**
 * The envelope's structure: `result` (a string, or an array of strings) goes to
 * `onText` / `onItemEnd` as it arrives, every other member is collected and JSON-parsed.
 */
export class EnvelopeReader {
  readonly members: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  private st = St.Start;
  private carry = "";
  private key = "";
  private rawKey = "";
  private readonly value = new ValueCollector();
  /** Characters of the members (not `result`) read so far. */
  private membersChars = 0;
  constructor(
    private readonly onText: (text: string) => void,
    private readonly onItemEnd: () => void,
    /** Called when `result` starts, with the members read before it (a non-zero code fails fast). */
    private readonly onResultStart: (members: Record<string, unknown>) => void = () => undefined,
    /** Who to name in errors (api, operation). */
    private readonly context?: ErrorContext,
  ) {}

  get done(): boolean {
    return this.st === St.Done;
  }

  /** Characters held: the members read, the unfinished name or value, the carried escape. */
  get held(): number {
    return this.membersChars + this.rawKey.length + this.value.size + this.carry.length;
  }

  /** Read the next chunk; a malformed envelope is a PipeRowsError ("envelope"). */
  push(chunk: string): void {
    try {
      this.feed(chunk);
    } catch (e) {
      if (e instanceof Malformed) throw new PipeRowsError(e.message, { line: 0, problem: "envelope", context: this.context });
      throw e;
    }
  }

  private feed(chunk: string): void {
    const t = this.carry + chunk;
    this.carry = "";
    let i = 0;
    const n = t.length;
    while (i < n) {
      switch (this.st) {
        case St.Key: {
          const end = stringEnd(t, i);
          if (end === -1) {
            // A backslash the chunk ends on escapes the next chunk's first character (a quote
            // there is not the name's end): carried to it, as stringEnd counts in one text.
            let b = n;
            while (b > i && t.charCodeAt(b - 1) === 92) b--;
            const odd = (n - b) % 2 === 1;
            this.rawKey += t.slice(i, odd ? n - 1 : n);
            if (odd) this.carry = "\\";
            return;
          }
          this.rawKey += t.slice(i, end);
          this.memberName();
          i = end + 1;
          continue;
        }
        case St.ResultString:
        case St.ResultArrayString: {
          const end = streamJsonString(t, i, this.onText);
          if (typeof end !== "number") {
            this.carry = end.carry;
            return;
          }
          if (this.st === St.ResultArrayString) {
            this.onItemEnd();
            this.st = St.ResultArraySep;
          } else this.st = St.AfterValue;
          i = end + 1;
          continue;
        }
        case St.Generic: {
          const end = this.value.read(t, i);
          if (end === -1) return;
          this.membersChars += this.key.length + this.value.size;
          this.members[this.key] = this.value.value(this.key);
          this.st = St.AfterValue;
          i = end;
          continue;
        }
        default: {
          const c = t[i]!;
          if (c === " " || c === "\n" || c === "\r" || c === "\t") i++;
          else i = this.structural(c, i);
        }
      }
    }
  }

  /** A member name is complete (in rawKey): it must be a JSON string and new. */
  private memberName(): void {
    try {
      this.key = JSON.parse(`"${this.rawKey}"`) as string;
    } catch {
      fail("a member name of the JSON envelope is not a valid JSON string");
    }
    if (Object.hasOwn(this.members, this.key)) fail(`the JSON envelope has ${quoted(this.key)} twice`);
    this.rawKey = "";
    this.st = St.Colon;
  }

  /** One structural character `c` at i; returns the index to go on from. */
  private structural(c: string, i: number): number {
    const bad = () => fail(`unexpected ${JSON.stringify(c)} in the JSON envelope`);
    switch (this.st) {
      case St.Start:
        if (c !== "{") bad();
        this.st = St.KeyOrEnd;
        return i + 1;
      case St.KeyOrEnd:
      case St.KeyAfterComma:
        if (c === "}" && this.st === St.KeyOrEnd) this.st = St.Done;
        else if (c === '"') {
          this.st = St.Key;
          this.rawKey = "";
        } else bad();
        return i + 1;
      case St.Colon:
        if (c !== ":") bad();
        this.st = St.Value;
        return i + 1;
      case St.Value:
        return this.valueStart(c, i);
      case St.AfterValue:
        if (c === ",") this.st = St.KeyAfterComma;
        else if (c === "}") this.st = St.Done;
        else bad();
        return i + 1;
      case St.ResultArrayItem:
      case St.ResultArrayItemAfterComma:
        if (c === '"') this.st = St.ResultArrayString;
        else if (c === "]" && this.st === St.ResultArrayItem) this.st = St.AfterValue;
        else bad();
        return i + 1;
      case St.ResultArraySep:
        if (c === ",") this.st = St.ResultArrayItemAfterComma;
        else if (c === "]") this.st = St.AfterValue;
        else bad();
        return i + 1;
      default:
        return fail("unexpected text after the JSON envelope");
    }
  }

  /** A member value starts at i: `result` as a string or array is streamed, anything else collected. */
  private valueStart(c: string, i: number): number {
    if (this.key === "result") this.onResultStart(this.members);
    if (this.key === "result" && c === '"') {
      this.st = St.ResultString;
      this.members.result = "";
      return i + 1;
    }
    if (this.key === "result" && c === "[") {
      this.st = St.ResultArrayItem;
      this.members.result = [];
      return i + 1;
    }
    this.st = St.Generic;
    this.value.reset();
    return i;
  }
}
