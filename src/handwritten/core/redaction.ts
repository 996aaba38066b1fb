/**
 * The one redaction mechanism of tradeapi. Every API hands it the secret values a request
 * carries (keys, secret, signature, nonce, token, password) and every error, snippet, body,
 * cause and log line that may leave the process goes through it.
 *
 * A `Redactor` removes, case-insensitively:
 * - each secret value in the forms a server may echo it in: as is, Unicode-normalized (NFC,
 *   NFD, NFKC), JSON-escaped (also as PHP, Python and Go escape it: `\/` and `\uXXXX`), as Python's
 *   repr prints it, HTML- or XML-escaped (`&amp;`, `&#39;`, `&apos;`), URL-encoded (`%XX` and
 *   form `+`, also escaping `!'()*~` as Python, Java, Go and PHP do), hex of its bytes, base64 /
 *   base64url of it, and the part of it that survives inside a longer base64 text (the Xele
 *   token in `?params=<base64 JSON>`: for each of the three byte alignments, the base64 of its
 *   whole 3-byte groups), the latter also URL-encoded; a text cut short in the middle of one of
 *   these forms loses the cut piece too; a form found inside a word (letters, digits, marks,
 *   and escapes of them, up to 64 characters each side; not "_", not Chinese) loses the whole
 *   word, so a weak secret is not told by the text around it ("password"
 *   with a password "pass" read "[redacted]word");
 * - by name, values it was not told about: `signature=…`, `"token":"…"`, `X-API-Signature: …`,
 *   `Authorization: Bearer …`, and the password of a URL's `user:password@`.
 *
 * The values live in the redactor's private fields: inspecting, serializing or walking it
 * shows only how many there are.
 */
// errors.ts imports this module; what this one takes from it is only used inside functions (at
// call time), so the two can load in either order.
import { typeName, UsageError } from "./errors.js";

export const REDACTED = "[redacted]";
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Values shorter than this are not searched for literally (they would erase ordinary text). */
const MIN_LITERAL = 4;
/** Forms longer than this are searched for with indexOf, the others by their first characters. */
const MAX_SHORT_FORM = 256;
/** Base64 pieces shorter than this are not searched for (too likely to match by chance). */
const MIN_PIECE = 8;
/** A text that ends with at least this many characters of a secret form loses them. */
const MIN_TAIL = 6;

/**
 * Names whose values are secret, also as the end of a longer name (`trade_password`,
 * `csrf_token`, `api_secret`, Xele's terminal `auth_code`); `sign` only as a whole name (it ends many ordinary words).
 */
const SUFFIX_NAMES = "signature|secret|secret_?key|secretkey|password|passwd|pwd|token|ticket|accesskey|access_?key|api_?key|auth_?code";
const NAMES = `[\\w-]*?(?:${SUFFIX_NAMES})|sign|x-api-signature|x-api-nonce|x-api-key|x-access-key|authorization`;
const SECRET_NAME = new RegExp(`^(?:${NAMES})$`, "i");
/** Is a field of this name secret (`password`, `safePwd`, `trade_password`, `token`, `signature` …)? */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);
/** `name=value` (query strings, form bodies, log lines); a value that is `[redacted]` already (then an end or a
 * punctuation mark) is left as it is. */
const BY_PARAM = new RegExp(`(?<![\\w-])(${NAMES})=(?!\\[redacted\\](?:[&\\s"'<>:,;)\\]]|$))([^&\\s"'<>]+)`, "gi");
/** `"name": "value"` (JSON text) and `"name": 123`. */
const BY_JSON = new RegExp(`"(${NAMES})"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|[^,}\\]\\s]+)`, "gi");
/**
 * The same inside JSON text quoted once more (a message quoting a server's JSON: `\"token\":\"…\"`):
 * the value's characters are plain ones or escapes written twice (`\\n`, `\\\"`, `\\\\`); a value
 * cut short (no closing quote) loses what is there.
 */
const BY_JSON_QUOTED = new RegExp(String.raw`\\"(${NAMES})\\"\s*:\s*(?:\\"(?:[^"\\]|\\\\[^"\\]|\\\\\\"|\\\\\\\\)*(?:\\")?|[^,}\]\s\\]+)`, "gi");
/**
 * A name in single quotes or none, its value in single quotes, as Python's repr and Node's
 * util.inspect print a dict or object (`{'password': 'x'}`, `{ token: 'x' }`); with a quoted
 * name, also a value in double quotes, bytes or a number (`'token': "it's"`, `'sign': 123`), not
 * a word (`option 'secretKey': must be …` is a sentence). A value cut short loses what is there.
 */
const BY_REPR = new RegExp(String.raw`(?<![\w$"'-])(?:'(${NAMES})'\s*:\s*(?:'(?:[^'\\]|\\.)*'?|b'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?|-?\d[\w.+-]*)|(${NAMES})\s*:\s*'(?:[^'\\]|\\.)*'?)`, "gi");
/** `Name: value` header lines an echoing server prints. */
const BY_HEADER = /\b(x-api-signature|x-api-nonce|x-api-key|x-access-key|authorization|proxy-authorization|cookie|set-cookie)(\s*:\s*)(?:(bearer|basic)\s+)?[^\s,;"'<>]+/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
/** `scheme://user:password@` and `scheme://token@`. */
/**
 * The scheme is a lookbehind: matched from each "://" backwards, so a long run of scheme
 * characters without one (a server's "sk-secresk-secre…") is read once, not once per word.
 */
const USERINFO = /(?<=[a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]+@/gi;

/**
 * Where the `user:password` of a URL ends in `rest` (the URL's text after its "//"), or -1:
 * the authority's own `@` (a user:password without "/", "?", "#" or "\\"); else the last `@`
 * when what comes before it holds a ":" or a "\\" (a password with an unescaped "/", "?" or "#":
 * the URL then parses as a host and a path, or not at all; a token with a "\\", which ends a
 * host as "/" does) and what follows it is a host[:port] ending
 * the text or followed by "/", "?" or "#". An `@` in a path or query (`?next=alice@corp.com`,
 * `/users/a@b.com/`) and an IPv6 host keep the URL's host shown.
 */
export function userinfoEnd(rest: string): number {
  const plain = /^[^/\\?#]*@/.exec(rest);
  if (plain) return plain[0].length - 1;
  const at = rest.lastIndexOf("@");
  if (at <= 0) return -1;
  const before = rest.slice(0, at);
  return /[:\\]/.test(before) && !before.startsWith("[") && /^(?:\[[^\]]*\]|[^\s/\\?#@:]+)(?::\d*)?(?:[/?#]|$)/.test(rest.slice(at + 1)) ? at : -1;
}

function b64variants(b64: string): string[] {
  const bare = b64.replace(/=+$/, "");
  const url = bare.replace(/\+/g, "-").replace(/\//g, "_");
  return [b64, encodeURIComponent(b64), bare, url, encodeURIComponent(bare)];
}

/** encodeURIComponent, with a lone surrogate written as U+FFFD (it throws on one; no request can hold one anyway). */
function uriOf(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/\p{Cs}/gu, "\ufffd"));
  }
}

/** `bytes` as hex and base64, and its whole 3-byte groups at each alignment inside a longer base64 text. */
function addBytes(forms: Set<string>, bytes: Buffer): void {
  forms.add(bytes.toString("hex"));
  for (const v of b64variants(bytes.toString("base64"))) forms.add(v);
  for (let k = 0; k < 3; k++) {
    const whole = bytes.subarray(k, k + 3 * Math.floor((bytes.length - k) / 3));
    if (whole.length === 0) continue;
    for (const v of b64variants(whole.toString("base64"))) if (v.length >= MIN_PIECE) forms.add(v);
  }
}

/** Every form of `secret` that an echoing server could print (see the file comment). */
export function secretForms(secret: string): string[] {
  if (typeof secret !== "string") throw new UsageError(`secretForms takes a string, got ${typeName(secret)}`);
  const forms = new Set<string>();
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  // JSON as PHP's json_encode and Python's json.dumps write it by default: every character past
  // ASCII as \uXXXX (PHP also "/" as "\/", below).
  const ascii = (t: string) => t.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // A server that normalizes text (NFC, NFD; NFKC maps fullwidth letters to ASCII) echoes the
  // normalized secret: each normal form, when it differs, is searched for in every form too.
  const bases = new Set<string>();
  for (const n of new Set([secret, secret.normalize("NFC"), secret.normalize("NFD"), secret.normalize("NFKC")])) {
    const json = JSON.stringify(n).slice(1, -1);
    // Go's encoding/json also writes < > & and U+2028/2029 as \uXXXX.
    const go = json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    bases.add(n).add(json).add(ascii(json)).add(go).add(ascii(go));
  }
  for (const s of bases) {
    forms.add(s);
    const uri = uriOf(s);
    // URL-encoded as encodeURIComponent writes it, and as other encoders do: Python, Go and PHP
    // also escape ! ' ( ) *, some ~ too; Java's URLEncoder ! ' ( ) ~ but not *. Each also with "/"
    // kept (Python's quote(), path encoders: "ab/c%2Bd%3D" for a base64 "ab/c+d=") and with a
    // space as "+" (forms).
    const esc = (re: RegExp) => uri.replace(re, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    for (const e of new Set([uri, esc(/[!'()*]/g), esc(/[!'()*~]/g), esc(/[!'()~]/g)])) for (const g of [e, e.replace(/%2F/g, "/")]) forms.add(g).add(g.replace(/%20/g, "+"));
    forms.add(encodeURIComponent(uri));
    addBytes(forms, Buffer.from(s, "utf8"));
  }
  // Its UTF-16LE bytes as hex or base64, as .NET writes a string's (Encoding.Unicode).
  addBytes(forms, Buffer.from(secret, "utf16le"));
  // Every byte %XX-escaped, as some encoders write a value (the skeleton reads one of an ASCII
  // byte, and character references); and the ASCII in full width (`ｈｕｂｉ`), which NFKC maps back.
  forms.add(Buffer.from(secret, "utf8").toString("hex").replace(/../g, "%$&"));
  forms.add(secret.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
  // PHP's json_encode writes "/" as "\/".
  const php = jsonEscaped.replace(/\//g, "\\/");
  forms.add(php).add(ascii(php));
  // As Python's repr and Node's util.inspect print a string: "\" doubled, "'" as is or escaped.
  const repr = secret.replace(/\\/g, "\\\\");
  forms.add(repr).add(repr.replace(/'/g, "\\'"));
  // An HTML or XML page that echoes a request (a proxy's or servlet container's error page)
  // escapes & < > and maybe " and ' (Python's html.escape, PHP's htmlspecialchars, Go's
  // EscapeString: &#34; &#39;, XML's &apos;); past ASCII, an ASCII-only page writes character
  // references (`&#233;`, `&#xe9;`).
  if (/[&<>"'\u0080-\uffff]/.test(secret)) {
    const html = secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const escaped = [html, html.replace(/"/g, "&#34;").replace(/'/g, "&#39;")];
    for (const q of ["'", "&#39;", "&#x27;", "&#039;", "&apos;"]) escaped.push(html.replace(/"/g, "&quot;").replace(/'/g, q));
    for (const e of escaped) forms.add(e).add(e.replace(/[^\x00-\x7f]/gu, (c) => `&#${c.codePointAt(0)};`)).add(e.replace(/[^\x00-\x7f]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`));
  }
  // Each escaped form quoted once more, as a message quoting a server's JSON text writes it
  // (`\\/`, `\\\"`): the escapes doubled.
  for (const f of [...forms]) if (/["\\]/.test(f)) forms.add(JSON.stringify(f).slice(1, -1));
  return [...forms].filter((f) => f.length >= MIN_LITERAL);
}

/**
 * A character a secret's word goes on through: a letter, digit or mark, not "_" (it joins
 * names: `trade_password=` must stay a name the by-name rules read) nor one of a script
 * written without spaces (Chinese: its "word" ran to the end of the vendor's sentence).
 */
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const NO_SPACES = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]$/u;
/** Characters a server's text may hold inside a word unseen (soft hyphen, zero-width ones, BOM). */
const INVISIBLE = /^\p{Default_Ignorable_Code_Point}$/u;
/** How far a secret's word is followed on each side, in characters of the text. */
const MAX_WORD_REACH = 64;

/** Is `ch` (one character, as a string) part of a word, or unseen inside one? */
function inWord(ch: string): boolean {
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  }
  return INVISIBLE.test(ch) || (WORD_CHAR.test(ch) && !NO_SPACES.test(ch));
}

/**
 * An escape of one character: `%XX` (of ASCII), JSON's `\\uXXXX` (its "\\" doubled in JSON quoted
 * again: taken with every "\\" before it, or one left alone broke the JSON), `&#N;`, `&#xH;`.
 */
const ESCAPE = String.raw`%[0-9a-fA-F]{2}|\\+u[0-9a-fA-F]{4}|&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});`;
const ESCAPE_AT = new RegExp(ESCAPE, "y");
const ESCAPE_BEFORE = new RegExp(`(?:${ESCAPE})$`);

/** The length of `piece` (a character, or an escape of one) if it is part of a word, else 0. */
function wordLength(piece: string): number {
  // (an escape read as the search's skeleton reads it; a %XX past ASCII is a byte of a UTF-8
  // letter: "pass%C3%A9word" showed "%C3%A9word")
  if (piece.length > 2 && piece[0] === "%" && parseInt(piece.slice(1), 16) >= 0x80) return piece.length;
  const ch = piece.length > 2 ? unescaped(piece.toLowerCase()) : piece;
  // (its first character: "İ" lower-cased is two)
  return ch && inWord(String.fromCodePoint(ch.codePointAt(0)!)) ? piece.length : 0;
}

/**
 * The length of the piece of `text` that begins at `at` if it is part of a word (a word
 * character, an escape of one, a character unseen inside one), else 0. An escape is taken
 * whole or not at all: half of `\u7528` left behind broke the JSON text it was in.
 */
function wordPieceAt(text: string, at: number): number {
  if (at >= text.length) return 0;
  ESCAPE_AT.lastIndex = at;
  const esc = ESCAPE_AT.exec(text)?.[0];
  // (another escape, \n \t \/: not a word's)
  return esc ? wordLength(esc) : text[at] === "\\" ? 0 : wordLength(String.fromCodePoint(text.codePointAt(at)!));
}

/** As wordPieceAt, for the piece of `text` that ends at `end` (not before `floor`). */
function wordPieceBefore(text: string, end: number, floor: number): number {
  if (end <= floor) return 0;
  // An escape that ends here is read whole (its last characters alone are letters or digits).
  const esc = ESCAPE_BEFORE.exec(text.slice(Math.max(floor, end - 11), end))?.[0];
  if (esc) {
    let start = end - esc.length;
    if (esc[0] === "\\") while (start > floor && text[start - 1] === "\\") start--;
    return wordLength(esc) && end - start;
  }
  if (end - 2 >= floor && text[end - 2] === "\\" && /[A-Za-z]/.test(text[end - 1]!)) return 0;
  const pair = end - 2 >= floor && /[\ud800-\udbff][\udc00-\udfff]/.test(text.slice(end - 2, end));
  return wordLength(text.slice(pair ? end - 2 : end - 1, end));
}

/**
 * `at` moved to the edge of an escape it falls inside (`toEnd`: its end, else its start), so a
 * stretch never leaves half of one (`\u001f` before a secret "fabc…" left "\u[redacted]").
 */
function escapeEdge(text: string, at: number, toEnd: boolean): number {
  for (let k = Math.max(0, at - 12); k < at; k++) {
    const c = text[k];
    if (c !== "%" && c !== "\\" && c !== "&") continue;
    ESCAPE_AT.lastIndex = k;
    const len = ESCAPE_AT.exec(text)?.[0].length ?? 0;
    if (k + len > at) return toEnd ? k + len : k;
  }
  return at;
}

/** `text` lower-cased character by character (its indexes kept: "İ".toLowerCase() is two characters). */
function lowered(text: string): string {
  const low = text.toLowerCase();
  if (low.length === text.length) return low;
  let out = "";
  for (const ch of text) {
    const c = ch.toLowerCase(); // by code point: a letter past U+FFFF is two units, lowered as one
    out += c.length === ch.length ? c : ch;
  }
  return out;
}

/** KMP's failure table of `f`: for each prefix, the length of its longest proper prefix that is also its suffix. */
function failureOf(f: string): Int32Array {
  const fail = new Int32Array(f.length);
  for (let i = 1, k = 0; i < f.length; i++) {
    while (k > 0 && f[i] !== f[k]) k = fail[k - 1]!;
    if (f[i] === f[k]) k++;
    fail[i] = k;
  }
  return fail;
}

/** The first `max` of a list for a message ("1, 2, 3, 4, 5 and 7 more"; internal: not exported from the package). */
export const someOf = (items: readonly string[], max = 5): string => items.slice(0, max).join(", ") + (items.length > max ? ` and ${items.length - max} more` : "");

/** What copyDeep's `leaf` returns for an array or object to be copied member by member. */
export const MEMBERS: unique symbol = Symbol("members");

/**
 * A copy of `value` at any depth, iteratively (a server's body can be nested deeper than a call
 * stack allows), cycles and shared parts kept as such: `leaf(v, key)` gives each value's copy,
 * or MEMBERS to copy an array or object member by member (a copied object has no prototype if
 * the original had none, else Object.prototype); `keyOf` gives each copied key. Keys are
 * defined, not assigned: a key "__proto__" (JSON.parse makes it an own key) stays a key instead
 * of setting the copy's prototype to a server's object.
 */
export function copyDeep(
  value: unknown,
  leaf: (v: unknown, key: string | undefined, depth: number) => unknown,
  keyOf: (k: string) => string = (k) => k,
): unknown {
  const seen = new Map<object, unknown>();
  const todo: Array<[object, unknown[] | Record<string, unknown>, number]> = [];
  const copy = (v: unknown, key: string | undefined, depth: number): unknown => {
    const c = leaf(v, key, depth);
    if (c !== MEMBERS) return c;
    const o = v as object;
    if (seen.has(o)) return seen.get(o);
    const out: unknown[] | Record<string, unknown> = Array.isArray(o) ? [] : Object.create(Object.getPrototypeOf(o) === null ? null : Object.prototype);
    seen.set(o, out);
    todo.push([o, out, depth + 1]);
    return out;
  };
  const root = copy(value, undefined, 0);
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    const [v, out, depth] = next;
    if (Array.isArray(out)) for (const item of v as unknown[]) out.push(copy(item, undefined, depth));
    else for (const [k, item] of Object.entries(v)) Object.defineProperty(out, keyOf(k), { value: copy(item, k, depth), enumerable: true, writable: true, configurable: true });
  }
  return root;
}

/**
 * A server's value as text for an error: a string as it is, a number, bigint or boolean as
 * `String()` writes it, anything else as JSON. Never throws: `String()` does on a parsed object
 * whose own "toString" and "valueOf" are not functions (`{"toString":1,"valueOf":1}`).
 */
/**
 * Bytes with the secrets `text` finds in them removed: read as Latin-1 (a byte a character:
 * Node's parse errors keep the raw request or answer in `rawPacket`, a proxy's `Authorization`
 * echoed there), then as UTF-8 (a secret that is not ASCII). The same bytes when nothing is found.
 */
function redactedBytes(bytes: Uint8Array, text: (t: string) => string): Uint8Array {
  let latin = "";
  for (let i = 0; i < bytes.length; i += 8192) latin += String.fromCharCode(...bytes.subarray(i, i + 8192));
  const out = text(latin);
  if (out !== latin) return Uint8Array.from(out, (c) => c.charCodeAt(0) & 0xff);
  const utf8 = new TextDecoder().decode(bytes);
  const redacted = text(utf8);
  return redacted === utf8 ? bytes : new TextEncoder().encode(redacted);
}

export function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return String(v);
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x)) ?? typeof v;
  } catch {
    return `(${Array.isArray(v) ? "an array" : "an object"} too deep to show)`;
  }
}

/**
 * What a secret may be broken by, or written as, in a text that echoes it: line breaks, NUL
 * (UTF-16 read as UTF-8), a soft hyphen, zero-width characters, BOM; and one character escaped:
 * %XX of an ASCII byte, JSON's \uXXXX (a raw body quoted in a message keeps its escapes, any
 * mix of them; quoted once or twice more, its "\" doubled: up to four, matched only from the
 * run's start, so a long run of backslashes costs one step each), an HTML character reference (`&#104;`, `&#0104;`, `&#x68;`). Spaces and tabs
 * are not among them (they part words; a snippet flattens line breaks into spaces only after
 * redacting).
 */
const SKELETON_PARTS = /[\n\r\0\v\f\u00ad\u200b-\u200d\u2028\u2029\u2060\ufeff]+|(%[0-7][0-9a-f]|(?<!\\)\\{1,4}u[0-9a-f]{4}|&#(?:0*\d{1,7}|x0*[0-9a-f]{1,6});)/g;

/** The character an escape SKELETON_PARTS matched (its group 1) stands for (lower-cased), or "" for one that is no character. */
function unescaped(m: string): string {
  // (a \uXXXX escape quoted once more, in a message quoting a server's JSON text, has its "\" doubled: \\u0045)
  const code = m[0] === "%" ? parseInt(m.slice(1), 16) : m[0] === "\\" ? parseInt(m.slice(m.indexOf("u") + 1), 16) : m[2] === "x" ? parseInt(m.slice(3, -1), 16) : parseInt(m.slice(2, -1), 10);
  return code <= 0x10ffff ? String.fromCodePoint(code).toLowerCase() : "";
}

/**
 * `low` (a lower-cased text) without the characters SKELETON_PARTS drops and with each escape
 * as its character: the text, and its pieces (where each starts in it and in `low`; a negative
 * start in `low`, -1 - i, for the one character the escape at i, `width` long, stood for).
 * Undefined when the text has none of them (it is its own skeleton).
 */
function skeletonOf(low: string): { text: string; starts: number[]; from: number[]; width: number[] } | undefined {
  const parts: string[] = [];
  const starts: number[] = [];
  const from: number[] = [];
  const width: number[] = [];
  let length = 0;
  let last = 0;
  const piece = (text: string, at: number, w = 0) => {
    parts.push(text);
    starts.push(length);
    from.push(at);
    width.push(w);
    length += text.length;
  };
  for (const m of low.matchAll(SKELETON_PARTS)) {
    if (m.index > last) piece(low.slice(last, m.index), last);
    if (m[1] !== undefined) piece(unescaped(m[1]), -1 - m.index, m[1].length);
    last = m.index + m[0].length;
  }
  if (last === 0) return undefined;
  if (last < low.length) piece(low.slice(last), last);
  return { text: parts.join(""), starts, from, width };
}

/** The stretch of `low` that the skeleton's characters from..to-1 came from. */
function spanInText(sk: { starts: number[]; from: number[]; width: number[] }, from: number, to: number): [number, number] {
  const at = (k: number, end: boolean): number => {
    let lo = 0;
    let hi = sk.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sk.starts[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    const f = sk.from[lo]!;
    return f < 0 ? -1 - f + (end ? sk.width[lo]! : 0) : f + (k - sk.starts[lo]!) + (end ? 1 : 0);
  };
  return [at(from, false), at(to - 1, true)];
}

/** A 16-bit hash of the two characters of `s` at `i`. */
function pairAt(s: string, i: number): number {
  return ((s.charCodeAt(i) << 5) ^ s.charCodeAt(i + 1)) & 0xffff;
}

/** The first three characters of `s` at `i` as one number (three UTF-16 units fit in 48 bits). */
function headAt(s: string, i: number): number {
  return s.charCodeAt(i) * 4294967296 + s.charCodeAt(i + 1) * 65536 + s.charCodeAt(i + 2);
}

/**
 * The secrets a Redactor is given, as a list: one given as a string is that secret, not its
 * characters (each too short to be searched for); null or undefined, none; anything that is not
 * a list of them, a UsageError.
 */
export function secretList(secrets: unknown): Array<unknown> {
  if (typeof secrets === "string") return [secrets];
  if (secrets === null || secrets === undefined) return [];
  if (typeof (secrets as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new UsageError(`secrets must be a list of strings (or one string), got ${typeof secrets}`);
  }
  return [...(secrets as Iterable<unknown>)];
}

export class Redactor {
  readonly #secrets: string[];
  /** The secrets that are whole numbers (digits, a sign), as a JSON number writes them: no leading zeros. */
  readonly #numeric = new Set<string>();
  /** Each secret's forms (a redactor made from another reuses those of the secrets they share). */
  readonly #formsOf = new Map<string, readonly string[]>();
  readonly #forms: string[];
  /** The forms of at most MAX_SHORT_FORM characters by their first three (lower-cased), longest first. */
  readonly #heads = new Map<number, string[]>();
  /** A bit per hash of the first two characters of the forms in #heads: most of a text's indexes are passed over on it. */
  readonly #pairs = new Uint32Array(2048);
  readonly #long: string[];
  /** KMP failure tables of the forms, made when a text with a cut first needs them. */
  readonly #failures = new Map<string, Int32Array>();
  /** A redactor whose secrets this one removes too, searched for as they are (see the constructor). */
  readonly #under: Redactor | undefined;

  /**
   * `secrets`: the values to remove. `from`: a redactor whose work on the secrets they share is
   * reused (a client's redactor made again for each failed call's signature and nonce).
   * `under`: a redactor whose secrets are removed too, its own work shared, not copied: making
   * this one costs only its own secrets (a client that adds one secret at a time to many keeps
   * the many in `under`). A text loses what either finds, as from one redactor of both.
   */
  constructor(secrets: Iterable<string | null | undefined> = [], from?: Redactor, under?: Redactor) {
    this.#under = under instanceof Redactor ? under : undefined;
    const list = secretList(secrets);
    this.#secrets = [...new Set(list.filter((s): s is string => typeof s === "string" && s.length >= MIN_LITERAL))];
    for (const s of this.#secrets) if (/^-?\d+$/.test(s)) this.#numeric.add(s.replace(/^(-?)0+(?=\d)/, "$1"));
    const known = from instanceof Redactor ? from.#formsOf : undefined;
    const forms = new Set<string>();
    for (const s of this.#secrets) {
      // Lower-cased as texts are (character by character: "İ" stays, as a text's does), and as
      // a whole and from its upper case when those differ (a text that wrote its lower case,
      // "i̇"; its upper case: "ᾝ" is "ἭΙ").
      const own = known?.get(s) ?? [...new Set(secretForms(s).flatMap((f) => [lowered(f), f.toLowerCase(), lowered(f.toUpperCase())]))];
      this.#formsOf.set(s, own);
      for (const f of own) forms.add(f);
    }
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
    // Forms of a server's ticket of 100k characters are searched for with indexOf (linear); the
    // rest in one pass over the text, by their first three characters (no regex is compiled: a
    // client makes a redactor for each failed call, with its signature and nonce).
    this.#long = [];
    for (const f of this.#forms) {
      if (f.length > MAX_SHORT_FORM) this.#long.push(f);
      else {
        const head = headAt(f, 0);
        const pair = pairAt(f, 0);
        this.#pairs[pair >>> 5]! |= 1 << (pair & 31);
        const list = this.#heads.get(head);
        if (list) list.push(f);
        else this.#heads.set(head, [f]);
      }
    }
  }

  /** A redactor that also removes `more`. */
  with(more: Iterable<string | null | undefined>): Redactor {
    return new Redactor([...this.#secrets, ...(secretList(more) as Array<string | undefined>)], this, this.#under);
  }

  /** How many search forms it holds (never the values). */
  get size(): number {
    return this.#forms.length + (this.#under?.size ?? 0);
  }

  /** The length of its longest search form (0 without any): how far past a cut a secret can reach. */
  get longest(): number {
    return Math.max(this.#forms[0]?.length ?? 0, this.#under?.longest ?? 0);
  }

  /** `text` with every secret form and every secret-named value replaced by [redacted]. */
  text(text: string): string {
    if (typeof text !== "string") text = textOf(text);
    let out = this.size ? this.#withoutForms(text) : text;
    out = out
      .replace(USERINFO, `${REDACTED}@`)
      .replace(BY_HEADER, (_m, name: string, sep: string, scheme: string | undefined) => `${name}${sep}${scheme ? `${scheme} ` : ""}${REDACTED}`)
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(BY_PARAM, (_m, k: string) => `${k}=${REDACTED}`)
      .replace(BY_JSON, (_m, k: string) => `"${k}":"${REDACTED}"`)
      .replace(BY_REPR, (_m, quoted: string | undefined, bare: string) => (quoted ? `'${quoted}': '${REDACTED}'` : `${bare}: '${REDACTED}'`))
      .replace(BY_JSON_QUOTED, (_m, k: string) => `\\"${k}\\":\\"${REDACTED}\\"`);
    return this.#cutTail(out);
  }

  /**
   * `text` without the secret forms: every stretch that is inside an occurrence of a form is
   * replaced, so two secrets that overlap in the text are both removed whole (leftmost-longest
   * alone would keep the second one's tail). Forms of at most MAX_SHORT_FORM characters are
   * found in one pass by their first three characters: at each index, the longest form there
   * that reaches past what is already covered. Longer ones (a server's ticket of 100k
   * characters) with indexOf. Stretches that overlap are joined; ones that only touch are not.
   * Linear in the text, but for a secret made of one short piece repeated (each index of a run
   * of it begins a match: up to MAX_SHORT_FORM characters compared per index).
   */
  #withoutForms(text: string): string {
    const low = lowered(text);
    const spans: Array<[number, number]> = [];
    for (let r: Redactor | undefined = this; r; r = r.#under) r.#spansOf(low, spans);
    // The same search with line breaks, NULs and invisible characters left out and %XX of ASCII
    // read (a server that wraps its echo, writes it as UTF-16 unsaid, or percent-encodes every
    // byte): each form found there loses the stretch of the text it spans.
    const skeleton = skeletonOf(low);
    if (skeleton) {
      const found: Array<[number, number]> = [];
      for (let r: Redactor | undefined = this; r; r = r.#under) r.#spansOf(skeleton.text, found);
      for (const [from, to] of found) spans.push(spanInText(skeleton, from, to));
    }
    // The values of the names the rules below read, found in the text as it is: a secret that
    // begins a name ("session" in sessionToken=…) takes the name with its word, and the rule
    // would no longer find the value.
    if (spans.length) {
      for (const m of text.matchAll(BY_PARAM)) spans.push([m.index + m[0].length - m[2]!.length, m.index + m[0].length]);
      for (const m of text.matchAll(BY_JSON)) {
        const quoted = m[2]!.length > 1 && m[2]![0] === '"' ? 1 : 0;
        spans.push([m.index + m[0].length - m[2]!.length + quoted, m.index + m[0].length - quoted]);
      }
    }
    spans.sort((a, b) => a[0] - b[0]);
    let out = "";
    let end = -1; // the end of the stretch being replaced
    for (let [from, to] of spans) {
      from = escapeEdge(text, from, false);
      to = escapeEdge(text, to, true);
      // A secret inside a word loses the whole word: the vendor's "wrong user name or password"
      // with a password "pass" read "…or [redacted]word", which told the reader the password.
      // The word is read as the search reads the text (escapes, unseen characters), at most
      // MAX_WORD_REACH characters each side, and never back past the stretch before.
      if (to > end) for (let reach = to + MAX_WORD_REACH, n; to < reach && (n = wordPieceAt(text, to)) > 0; ) to += n;
      if (from < end) end = Math.max(end, to);
      else {
        for (let reach = from - MAX_WORD_REACH, n; from > reach && (n = wordPieceBefore(text, from, Math.max(end, 0))) > 0; ) from -= n;
        out += text.slice(Math.max(end, 0), from) + REDACTED;
        end = to;
      }
    }
    return end < 0 ? text : out + text.slice(end);
  }

  /** Push the stretches of `low` that the forms cover (joined where they overlap, for the short forms). */
  #spansOf(low: string, spans: Array<[number, number]>): void {
    const pairs = this.#pairs;
    for (let i = 0, cover = 0, last = this.#heads.size ? low.length - MIN_LITERAL : -1; i <= last; i++) {
      const pair = pairAt(low, i);
      if ((pairs[pair >>> 5]! & (1 << (pair & 31))) === 0) continue;
      const f = this.#heads.get(headAt(low, i))?.find((f) => i + f.length > cover && low.startsWith(f, i));
      if (f === undefined) continue;
      if (i < cover) spans[spans.length - 1]![1] = i + f.length;
      else spans.push([i, i + f.length]);
      cover = i + f.length;
    }
    for (const f of this.#long) for (let at = low.indexOf(f); at >= 0; at = low.indexOf(f, at + f.length)) spans.push([at, at + f.length]);
  }

  /**
   * A text cut short inside a secret form (a snippet ending in "…") loses the piece before the
   * cut: at each "…" or "...", the longest run of at least MIN_TAIL characters before it that
   * begins a form. For each form, a KMP automaton reads the stretch before each cut (at most
   * the form's length, once however many cuts share it): linear in the text and the forms, so
   * neither a text of nothing but "…" nor a secret of a hundred thousand characters (a server's
   * ticket) makes it slow; no regex is built from a form, so none grows past what V8 compiles.
   */
  #cutTail(text: string): string {
    if (!this.size || (!text.includes("…") && !text.includes("..."))) return text;
    const cuts: number[] = [];
    for (const m of text.matchAll(/…|\.\.\./g)) cuts.push(m.index);
    const low = lowered(text);
    const longest = new Map<number, number>();
    for (let r: Redactor | undefined = this; r; r = r.#under) r.#cutTails(low, cuts, longest);
    if (!longest.size) return text;
    let out = "";
    let end = 0;
    for (const cut of cuts) {
      const k = longest.get(cut);
      if (k === undefined) continue;
      out += text.slice(end, Math.max(end, cut - k)) + REDACTED;
      end = cut;
    }
    return out + text.slice(end);
  }

  /** For each cut of `low` (#cutTail), the longest run before it that begins one of its own forms, into `longest` where longer. */
  #cutTails(low: string, cuts: readonly number[], longest: Map<number, number>): void {
    for (const f of this.#forms) {
      if (f.length <= MIN_TAIL) continue;
      const fail = this.#failures.get(f) ?? this.#failures.set(f, failureOf(f)).get(f)!;
      let at = 0;
      let q = 0;
      for (const cut of cuts) {
        // A prefix shorter than the form that ends at the cut starts after cut - f.length.
        const from = Math.max(at, cut - f.length);
        if (from > at) q = 0;
        for (let i = from; i < cut; i++) {
          const c = low[i];
          while (q > 0 && f[q] !== c) q = fail[q - 1]!;
          if (f[q] === c) q++;
          if (q === f.length) q = fail[q - 1]!;
        }
        at = Math.max(at, cut);
        if (q >= MIN_TAIL && q > (longest.get(cut) ?? 0)) longest.set(cut, q);
      }
    }
  }

  /**
   * A copy of a decoded body with every string redacted and every field named like a secret
   * (`signature`, `token`, …) replaced; a number or bigint that is a secret of digits (a PIN
   * echoed as a JSON number, its leading zeros gone) replaced; other numbers, bigints and bytes
   * are kept.
   */
  value<T>(value: T): T {
    return this.#value(value, this.#memo());
  }

  #value<T>(value: T, text: (t: string) => string): T {
    return copyDeep(value, (v, key) => {
      if (key !== undefined && (typeof v === "string" || typeof v === "number" || typeof v === "bigint") && SECRET_NAME.test(key)) return REDACTED;
      if (typeof v === "string") return text(v);
      // (a secret of digits a server echoes as a JSON number: a PIN, a numeric password, also
      // without its leading zeros; only the number that is the secret: a timestamp or an id
      // that holds its digits somewhere is kept)
      if ((typeof v === "number" || typeof v === "bigint") && this.#isNumericSecret(String(v))) return REDACTED;
      if (v instanceof Error) return this.error(v);
      if (v instanceof Uint8Array) return redactedBytes(v, text);
      return v !== null && typeof v === "object" ? MEMBERS : v;
    }, text) as T;
  }

  /** Is `digits` (a number's text) a secret of digits, this one's or its `under`'s? */
  #isNumericSecret(digits: string): boolean {
    return (this.#numeric.size > 0 && this.#numeric.has(digits)) || (this.#under !== undefined && this.#under.#isNumericSecret(digits));
  }

  /**
   * `text()` that redacts a long text once however often it comes (an error's vendorMessage is
   * also in its body: a server's message of 60 MB was read twice).
   */
  #memo(): (t: string) => string {
    const done = new Map<string, string>();
    return (t) => {
      if (t.length < 4096) return this.text(t);
      let out = done.get(t);
      if (out === undefined) done.set(t, (out = this.text(t)));
      return out;
    };
  }

  /**
   * Redact an error in place, and its cause chain: message, stack and every own field
   * (vendorMessage, bodySnippet, body, location, …). Returns the same error.
   */
  error<E>(error: E): E {
    const seen = new Set<unknown>();
    const text = this.#memo();
    let cur: unknown = error;
    for (let depth = 0; cur !== null && typeof cur === "object" && !seen.has(cur) && depth < 16; depth++) {
      seen.add(cur);
      const e = cur as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(e)) {
        if (key === "cause") continue;
        const d = Object.getOwnPropertyDescriptor(e, key);
        if (!d || !("value" in d) || !d.configurable && !d.writable) continue;
        const v = d.value;
        const next = typeof v === "string" ? text(v) : v !== null && typeof v === "object" ? (key === "errors" && Array.isArray(v) ? v.map((x) => this.error(x)) : this.#value(v, text)) : v;
        if (next !== v) Object.defineProperty(e, key, { ...d, value: next });
      }
      // `stack` may be an accessor that formats lazily: read it once and store the redacted text.
      if (typeof (e as { stack?: unknown }).stack === "string" && !Object.getOwnPropertyDescriptor(e, "stack")?.value) {
        try {
          Object.defineProperty(e, "stack", { value: text(String((e as { stack?: unknown }).stack)), writable: true, configurable: true, enumerable: false });
        } catch {
          /* a frozen error: nothing more to do */
        }
      }
      const cause = e.cause;
      if (cause !== undefined && (cause === null || typeof cause !== "object")) {
        if (typeof cause === "string") Object.defineProperty(e, "cause", { value: text(cause), writable: true, configurable: true, enumerable: false });
        break;
      }
      cur = cause;
    }
    return error;
  }

  [INSPECT](): string {
    return `Redactor { forms: ${this.size} }`;
  }
  toJSON(): { redactor: number } {
    return { redactor: this.size };
  }
}

/**
 * The values of a request's fields named like secrets (`password`, `trade_password`,
 * `token`, `signature` …) in its query/form pairs and anywhere in its JSON text: a request
 * that carries a user's password as a parameter gets it removed from its errors too.
 */
export function secretNamedValues(pairs: Iterable<readonly [string, string]>, jsonText?: string | null): string[] {
  const out: string[] = [];
  for (const [k, v] of pairs) if (SECRET_NAME.test(k)) out.push(v);
  if (jsonText) {
    for (const m of jsonText.matchAll(BY_JSON)) {
      const raw = m[2]!;
      try {
        const v: unknown = JSON.parse(raw);
        if (typeof v === "string" || typeof v === "number") out.push(String(v));
      } catch {
        out.push(raw);
      }
    }
  }
  return out;
}

/**
 * A URL for messages: its `user:password@`, the values of its query parameters (a parameter
 * without one whole) and its fragment replaced (a key or token passed as `?apikey=…`), the
 * query's names kept: "wss://gw/ws?key=[redacted]".
 */
export function redactUrl(url: string): string {
  let text = textOf(url);
  const scheme = /^\s*[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0];
  const end = scheme === undefined ? -1 : userinfoEnd(text.slice(scheme.length));
  if (end >= 0) text = `${scheme}${REDACTED}${text.slice(scheme!.length + end)}`;
  const at = text.search(/[?#]/);
  if (at < 0) return text;
  const hash = text.indexOf("#", at);
  const hidden = (pair: string) => (pair === "" ? "" : pair.includes("=") ? pair.replace(/=.+/s, `=${REDACTED}`) : REDACTED);
  const query = text[at] === "?" ? `?${text.slice(at + 1, hash < 0 ? undefined : hash).split("&").map(hidden).join("&")}` : "";
  return text.slice(0, at) + query + (hash < 0 ? "" : hash === text.length - 1 ? "#" : `#${REDACTED}`);
}

/** The password (and user name) of a URL's `user:password@`, for a Redactor. */
export function urlCredentials(given: string | undefined): string[] {
  // (a JavaScript caller's URL object is read as its text; anything else has none)
  const url: unknown = (given as unknown) instanceof URL ? String(given) : given;
  if (typeof url !== "string" || !url) return [];
  // (the user:password as userinfoEnd finds it, when the parser took less: a password with a "/"
  // in it parses as a host and a path, `http://al:Xk9/v@proxy`; its part after the first ":" is kept too)
  const scheme = /^\s*[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  const end = scheme === undefined ? -1 : userinfoEnd(url.slice(scheme.length));
  const raw = end >= 0 ? url.slice(scheme!.length, scheme!.length + end) : undefined;
  const rawPassword = raw?.includes(":") ? raw.slice(raw.indexOf(":") + 1) : undefined;
  try {
    const u = new URL(url);
    const parsed = [decodeURIComponent(u.password), u.password, u.username && u.password ? "" : decodeURIComponent(u.username)].filter(Boolean);
    return rawPassword && !parsed.includes(rawPassword) && rawPassword !== u.password ? [...parsed, rawPassword] : parsed;
  } catch {
    return rawPassword ? [rawPassword] : [];
  }
}

/**
 * Give `target` a `toJSON` and a `util.inspect` view made of `facts()` only (api, base URL …),
 * both non-enumerable, so logging or serializing a client never walks into its internals.
 */
export function describeAs<T extends object>(target: T, name: string, facts: () => Record<string, unknown>): T {
  if (target === null || (typeof target !== "object" && typeof target !== "function")) throw new UsageError(`describeAs takes an object to describe, got ${typeName(target)}`);
  if (typeof facts !== "function") throw new UsageError(`describeAs takes a function giving the facts to show, got ${typeName(facts)}`);
  Object.defineProperty(target, "toJSON", { value: () => facts(), enumerable: false, configurable: true });
  Object.defineProperty(target, INSPECT, {
    value: (_depth: number, options: unknown, inspect: (v: unknown, o: unknown) => string) =>
      `${name} ${typeof inspect === "function" ? inspect(facts(), options) : JSON.stringify(facts())}`,
    enumerable: false,
    configurable: true,
  });
  return target;
}
