/**
 * A member a frame gives twice, at any depth: `JSON.parse` keeps the last, so an item's
 * `"result":false,…,"result":true` would read as a cancelled order, and a second `price` would
 * replace the first. Every frame is checked, so the check is a proof that costs little: the
 * text's `:` characters that may end a name are counted, and the parsed frame's members too.
 * Every member written in the text has one `:` after its name, right after (whitespace
 * aside) the name's closing quote, an unescaped `"`; a `:` in a string has an unescaped `"`
 * before it only when it opens the string (`": …"`), as a quote inside a string is escaped. So
 * the count is at least the number of members written, and a name given twice leaves one
 * member fewer in the parsed frame: when the two counts agree, no name is repeated. Only when
 * they differ (a member given twice, or a string that begins with `:`) is the text scanned
 * for a repeated name.
 */
import { closingQuote } from "../core/json.js";

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/** Past this depth the parsed frame's members are not counted: the text is scanned instead (it walks no stack). */
const MAX_COUNTED_DEPTH = 1_000;

/** Where the first member given twice is (`data[0].result`), and its name; undefined when none is. `value` is `text` parsed. */
export function repeatedMember(text: string, value: object): { name: string; path: string } | undefined {
  let names = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) {
    let q = i - 1;
    while (isSpace(text.charCodeAt(q))) q--;
    if (text.charCodeAt(q) !== 34) continue;
    let escapes = 0;
    while (text.charCodeAt(q - 1 - escapes) === 92) escapes++;
    if (escapes % 2 === 0) names++;
  }
  // (for…in also lists what is enumerable on Object.prototype: then no count is made)
  for (const _ in {}) return firstRepeated(text);
  return membersOf(value, 0) === names ? undefined : firstRepeated(text);
}

/** How many members the objects of a parsed value have in all; -1 when it nests deeper than MAX_COUNTED_DEPTH. */
function membersOf(v: object, depth: number): number {
  if (depth > MAX_COUNTED_DEPTH) return -1;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === "object" && x !== null) {
        const m = membersOf(x, depth + 1);
        if (m < 0) return -1;
        n += m;
      }
    }
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    n++;
    const x = o[k];
    if (typeof x === "object" && x !== null) {
      const m = membersOf(x, depth + 1);
      if (m < 0) return -1;
      n += m;
    }
  }
  return n;
}

/** One pass over valid JSON text: the first name an object gives twice (decoded: `"\u0063id"` is `cid`), with its path. */
function firstRepeated(text: string): { name: string; path: string } | undefined {
  // Per open container: the names its object has given (null for an array), and where in it the pass is.
  const names: Array<Set<string> | null> = [];
  const at: Array<string | number> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const start = i;
      i = closingQuote(text, i);
      const seen = names[names.length - 1];
      if (!seen) continue;
      let k = i + 1;
      while (isSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) !== 58) continue; // a value, not a name
      const raw = text.slice(start + 1, i);
      const name = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
      at[at.length - 1] = name;
      if (seen.has(name)) return { name, path: pathOf(at) };
      seen.add(name);
      i = k;
    } else if (c === 123 || c === 91) {
      names.push(c === 123 ? new Set() : null);
      at.push(c === 123 ? "" : 0);
    } else if (c === 125 || c === 93) {
      names.pop();
      at.pop();
    } else if (c === 44 && names[names.length - 1] === null) {
      (at[at.length - 1] as number)++;
    }
  }
  return undefined;
}

/** `data[0].result` (a name that is not an identifier as `["a b"]`). */
function pathOf(at: ReadonlyArray<string | number>): string {
  let path = "";
  for (const p of at) path += typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return path.startsWith(".") ? path.slice(1) : path;
}
