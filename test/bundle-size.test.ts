/**
 * What a consumer of `tradeapi/xt` loads: src/handwritten/xt/index.ts bundled and minified
 * with esbuild (bundle, minify, platform node, format esm; node builtins and `undici` external,
 * everything else inside), built in memory. Prints the size and what each module contributes.
 * `undici` is Node's own HTTP client (the engine of its `fetch`), installed as a dependency so
 * that the transport can use its `request()` directly; bundled, it would add about 540 kB that
 * a Node process has in its `fetch` anyway, so it is counted like a builtin.
 *
 * The runtime metadata (generated/xt-spot.meta.ts) carries only what the runtime reads; the
 * summaries, descriptions and examples live in generated/xt-spot.docs.ts, which a library
 * import never loads. It is written compactly (defaults left out, repeated parts declared
 * once) and expanded at load by core/meta.ts `expandMeta`; test/meta-compact.test.ts checks
 * that the expanded metadata is what the spec says. The issue's target for the whole bundle
 * is 30 kB; CEILING is where it stands today (lower it as the transport and client code shrink).
 * It rose from 47 to 51 kB with parseJson's WebAssembly scanner (2.4 kB of base64, 1 kB of
 * loader, 0.9 kB more parser), which brought JSON parsing to its speed targets; 49.7 kB once
 * the module was stored brotli-compressed (1 kB of base64); 52.1 kB with the transport's answer
 * size limit and body deadline (a hostile server can neither fill the memory nor hold a call)
 * and the checks of parameters and credentials that cannot be sent (0.3 kB came off json.ts);
 * 53.7 kB with the public signers' argument checks (a JavaScript caller's wrong argument is a
 * UsageError, not a TypeError from crypto) and the per-call memos that keep the checks cheap;
 * 57.0 kB with error messages that escape what a terminal acts on, answers that are not HTTP as
 * ResponseFormatError, the cut of a long server text in a message, redaction at any depth, and
 * envelope codes and messages that are objects (typed errors, not a TypeError from String()),
 * the check of an answer's data type against the spec (0.3 kB of it the metadata's types), and
 * the answer's declared charset; 57.8 kB with aborts that end a call's waits (rate limiter
 * queue, backoff) at once; 59.1 kB with the decoding of compressed answers on the undici road
 * (gzip, deflate, br: HTTP lets a server compress when the request names no encoding); 59.8 kB
 * with the check of XT's batch items against the spec's contentSchema (0.3 kB of it metadata:
 * the item schemas); 60.4 kB with Retry-After honoured by the retries; 60.9 kB with the base
 * URL checked when a client is made; 61.0 kB with toJSON's cut of a body nested too deep for
 * JSON.stringify; 61.8 kB with the retry options checked when a client is made; 63.6 kB with
 * every client option checked when a client is made; 63.7 kB with the schema check's reading of
 * decimals as text (answers read with decimals: "string"), which quant-ws frames use; 63.8 kB
 * with the schema check's own-field lookup (a field named __proto__ was checked against
 * Object.prototype) and bigints shown in its messages; 64.6 kB with the refusal of integers of
 * more than 4,300 digits (NumberTooLongError: converting one of millions of digits blocks the
 * thread for seconds) in answers, parameters and XT batch ids; 65.8 kB with the refusal of keys
 * that are not options (a misspelt `timeoutMS` was ignored), with the closest option named;
 * 66.1 kB with the strict decoding of JSON answers (bytes not valid in the charset were U+FFFD);
 * 66.3 kB with the closest name in an unknown parameter's message; 66.2 kB with the review's merges;
 * 66.4 kB with one abort listener per signal however many calls share it; 66.5 kB with the abort's
 * reason as the AbortedError's cause and an injected fetch's waits ended by the timeout; 67.0 kB
 * with `onEvent`'s failures kept out of the call (a throwing logger lost a placed order's result);
 * 67.3 kB with the openapi-fetch methods' headers read in every form and checked; 67.6 kB with
 * a fetch option's answer that is not a Response refused as such; 67.8 kB with a signed header
 * replacing a caller's of the same name in any case; 69.8 kB with the `proxy` option (its check,
 * the proxy's agent and messages, its password among the secrets) and an abort or short timeout
 * that ends a call still connecting; 70.8 kB with `outcomeUnknown` on the errors of calls that
 * change state whose request may have reached the server (which failures come before a send;
 * a retried order keeps the mark of an earlier attempt); 75.4 kB with answers checked against
 * the spec's schema at any depth, not only their top-level type (2.8 kB of it metadata: the
 * answers' schemas); 75.7 kB with the check's stop at 100 problems (a huge answer of wrong
 * items ran the process out of memory); 75.7 kB (75,725 bytes) with one check of a server's
 * data for the transport and quant-ws frames (the transport now takes the frames' rule for an
 * empty list); 79.8 kB (79,840 bytes) with the hostile-input fixes of 0.13.0: a redactor that
 * finds a secret of any length and PHP's escapes (a KMP pass for cut secrets, where one regex
 * nested a group per character and crashed V8 on a long ticket), answers refused when their
 * envelope gives a field twice or they nest past 10,000 levels, XT batch data checked on
 * call(), 429/5xx vendor codes typed by their status, a streamed body released before its
 * first read, credentials a header cannot carry named; 79.9 kB (79,866 bytes) with 0.14.0's mark that keeps
 * a retry from repeating a timed-out wait for one of a client's own slots (Xele's in-flight slots);
 * 83.9 kB (83,931 bytes) with 0.15.0's proxy tunnel of its own (1.3 kB, its deadlines included: undici's ProxyAgent, outside
 * the bundle, reconnected to a proxy that closed the connection without end), the error classes'
 * names as strings (a minifier renames classes), the refusal of a toJSON() value and the check of
 * base64 batch text, a bigint refused in a decimal field, and long URLs cut in messages;
 * 84.3 kB (84,257 bytes) with 0.16.0's check that an int32 parameter fits 32 bits and the redaction
 * of secrets escaped twice and of secret-named values in a message that quotes JSON text; 84.5 kB
 * (84,533 bytes) with the signers' encoders written into one buffer and Java's trim as a loop (a
 * value with a long run of spaces took seconds); 84.6 kB (84,620 bytes) with one keep-alive pool for
 * every timeout under 5 s and the pools used longest ago closed (a deadline passed down per call
 * opened a connection per value); 85.0 kB (85,044 bytes) with the redactor's search by the forms'
 * first characters instead of one regex compiled per redactor, and a client's redactor reused or
 * made from its last one (a failed call cost 12 times a successful one); 85.1 kB (85,137 bytes) with
 * the top-level member walk shared with quant-ws's reading of a cid given twice and the forms of a
 * secret with İ; 85.2 kB (85,166 bytes) with a secret's URL-encoded form that keeps "/" (Python's quote);
 * 85.4 kB (85,394 bytes) with values named like secrets in a Python dict or a Node object as printed;
 * 85.4 kB (85,429 bytes) with the steps of the short timeouts' connect deadline (250 ms to 5 s);
 * 85.5 kB (85,502 bytes) with two secrets that overlap in a text both removed whole; 85.7 kB
 * (85,683 bytes) with a secret's HTML- and XML-escaped forms; 86.0 kB (85,982 bytes) with its forms
 * URL-encoded as Python's, Java's, Go's and PHP's encoders write it (! ' ( ) * ~), as Python's json.dumps and repr write it;
 * 86.0 kB (86,008 bytes) with a session's login answer read exactly whatever the decimals mode;
 * 86.1 kB (86,147 bytes) with a secret's normal forms (NFC, NFD, NFKC); 86.3 kB (86,313 bytes) with
 * its HTML character references past ASCII; 86.3 kB (86,325 bytes) with the openapi-fetch methods'
 * results as a class (their response a getter of the class); 86.4 kB (86,431 bytes) with a request's
 * int64 checked to fit 64 bits; 86.5 kB (86,525 bytes) with a request's decimal text checked to be a number;
 * 86.7 kB (86,702 bytes) with the envelope's names looked for twice by one regex per envelope (0.2 µs
 * a call, was 1.1); 86.9 kB (86,886 bytes) with options that are not an object refused (null was a
 * TypeError, a string made a client without credentials); 87.6 kB (87,621 bytes) with the exported
 * helpers' arguments checked (parseJson's text, options and mode; a signer's options and variant);
 * 87.7 kB (87,695 bytes) with one quoted-name test (json.ts quotedTwice) for the envelope and the
 * quant-ws frames, where each had its own; 88.8 kB (88,758 bytes) with 0.16.4's reading of an integer
 * beyond 2^53 in a decimal field as the decimals mode says (it was refused in every mode) and the
 * words for a batch's decimal that no double holds; 90.0 kB (90,035 bytes) with an integer written with a
 * fraction or exponent (a code 200.0, a float timestamp) read as that integer by decimals "string"
 * too (it failed the call there, and only there); 90.1 kB (90,127 bytes) with xtNonce's argument check;
 * 90.2 kB (90,188 bytes) with Content-Encoding labels that name no compression read as sent; 90.3 kB
 * (90,298 bytes) with call()'s parameters that are no object refused (null was a TypeError) and an
 * error's prefix made of text only; 90.4 kB (90,403 bytes) with the openapi-fetch methods' path and
 * method that are no text named by type; 90.8 kB (90,752 bytes) with an answer's bigint in an integer
 * field without format int64 (typed number) refused, anyOf branches read as answers; 91.7 kB (91,744
 * bytes) with a RateLimiter's rules and arguments checked (a limit of 0 held every call forever);
 * 91.8 kB (91,761 bytes) with only a fraction or exponent literal read as an integer field's integer;
 * 92.1 kB (92,143 bytes) with waits longer than a timer holds refused or waited in steps, an abort
 * that ends the wait for an async hook before the send, and path parameters "", "." and ".."
 * (createRestClient's check of its configuration is outside: XT's factory uses buildRestClient);
 * 92.3 kB (92,334 bytes) with the openapi-fetch methods' route lookup by method then path and a
 * params object that keeps a `__proto__` key its own without a null prototype; 93.4 kB (93,402 bytes)
 * with every exported helper refusing what it does not take by name (a UsageError, was a TypeError);
 * 93.7 kB (93,749 bytes) with the transport's execute and open checking their operation and request;
 * 94.1 kB (94,100 bytes) with signing split so that a call without a limiter or async signer awaits
 * no promise for it; 94.3 kB (94,309 bytes) with error classes that construct whatever their arguments;
 * 94.5 kB (94,515 bytes) with URLs in messages hiding their query's values and their fragment;
 * 94.6 kB (94,575 bytes) with texts under 512 characters tested by parseJson's regexes, not scanned;
 * 96.3 kB (96,307 bytes) with 0.16.8's pass for a plain parameter value (no schema walk) and the
 * answer check made once per schema node (a list of 1,000 orders checked 3.4 times as fast);
 * 96.8 kB (96,765 bytes) with 0.16.10's reading of an interim 100 Continue or a switch of protocol
 * undici refuses (a ResponseFormatError saying so, not a retried "server closed it"); 98.2 kB
 * (98,188 bytes) with the redactor's search across line breaks, NULs, invisible characters and
 * %XX (a server's wrapped or UTF-16 echo), its two-character prefilter, and a snippet that
 * redacts only the start of a page it shows (a 60 MB error page took 7 s); 98.5 kB (98,454 bytes)
 * with secrets as Go's JSON escapes them and keys with whitespace at an end refused; 100.1 kB
 * (100,110 bytes) with 0.17.0's connection count (a timeout before the request was written says
 * nothing was sent), the refusal of request options it does not take, secret-named values kept
 * out of messages and lone surrogates refused inside JSON; 101.1 kB (101,123 bytes) with 0.18.0's
 * hiding of a URL password that holds "/", "?" or "#" (a user:password told from an @ in a path
 * or query), a numeric secret echoed as a JSON number redacted in error bodies, Xele's auth_code
 * among the secret names, urlCredentials taking any argument, and urlShown's scheme part found by indexOf;
 * 101.7 kB (101,734 bytes) with the count of batchOrder's and batchCancel's results checked against
 * the items sent (a partial list resolved as the whole); 102.1 kB (102,093 bytes) with a Retry-After
 * sent twice read (its longer wait) and the attempts of a retried call in its last error; 102.4 kB
 * (102,368 bytes) with the answer check's prefixItems (XT's candles were not checked at all: a
 * volume beyond 2^53 came back a bigint) and the answer's own text in its message; 102.5 kB
 * (102,490 bytes) with the signers' refusal of NaN and Infinity; 102.8 kB (102,756 bytes) with a
 * secret's forms with every character escaped (&#NN;, &#xNN;, every byte %XX) and in full width;
 * 103.2 kB (103,161 bytes) with a caller's content-type that is not the body's refused and the
 * signers' refusal of a name given twice (one value per name was signed); 103.4 kB (103,393 bytes)
 * with the redactor reading any escaped character (\uXXXX, &#NN;) and errors shared by several
 * callers left unmarked; 103.7 kB (103,666 bytes) with a required query or form parameter given
 * "" refused (the servers read it as none) and a proxy's 4xx not retried; 103.8 kB (103,823
 * bytes) with a per-call timeout's native timer and connect step (a deadline passed down per
 * call opened one connection per value) and a redirect's body let go (a stalled one held the call);
 * 103.9 kB (103,929 bytes) with a stream's error answer bounded in time and size, a proxy's 408
 * and 429 retried, and BHEX paginate hearing the client's signal between records; 104.0 kB
 * (103,969 bytes) with the spec's `minimum: 0` on order ids (a negative id went out); 104.1 kB
 * (104,051 bytes) with a value in a message cut after 200 characters (an int64 out of range
 * of 100,000 digits made a 100 kB message); 105.3 kB (105,273 bytes) with 0.22.0's client-wide
 * Retry-After hold (a 429's wait kept by every call of the client, not only the one it answered:
 * 0.7 kB), the rate limiter's places per limit (a call with room goes at once: 0.4 kB) and an
 * operation's documented failure status (x-definite-failure); 105.8 kB (105,846 bytes) with its
 * review's fixes (a held call waits again for a longer Retry-After; a waiter follows only its own
 * limits' waiters), an error class's own kind and a vendor code beyond 2^53 as its digits;
 * 105.9 kB (105,919 bytes) with the second review's (an aborted waiter lets the next waiters of
 * each of its limits go on; an aborted call during a hold is an AbortedError); 107.4 kB
 * (107,387 bytes) with 0.23.0's checks of what hostile servers and fuzzers got through: XT
 * batch answers matched by id (0.6 kB), an answer's int64 beyond 64 bits refused, a body's
 * `not`, lengths in characters, and a parameter check's error redacted; 107.6 kB (107,613
 * bytes) with an order's answer without its required data refused (`dataRequired`); 107.7 kB
 * (107,704 bytes) with the batch helpers' errors redacted; 108.1 kB (108,126 bytes) with 0.24.0's
 * end of a connection still being made when its call ends (abort or timeout: undici went on
 * connecting for the client's timeout, holding the process) and the batch helpers' errors
 * redacted by the client's own redactor (the proxy's password too); 108.2 kB (108,191 bytes) with
 * an abort before any connection was made read as "not sent" (an order aborted then was not placed);
 * 108.5 kB (108,460 bytes) with the numbers of a decimals: "string" answer read inside anyOf/oneOf
 * forms too (Xele's OsRunTimeFigure.Days written 1.0 was refused); 108.5 kB (108,517 bytes) with
 * XT batch answer ids written 1.0 compared as the integers they denote in every decimals mode;
 * 108.9 kB (+426 bytes) with "nothing" in an answer read as the result's type says (an empty
 * list for a list, null for a record, `[]` an empty object for a map, refused where needed);
 * 109.4 kB (109,402 bytes) with the shared error classes exported from `tradeapi/xt` itself (a
 * service importing only the subpath tests `instanceof` on them; some were left out before);
 * 109.6 kB (109,633 bytes) with a redactor made over another (`under`: a quant-ws client given a
 * new token with every frame makes a redactor of the recent tokens only, not of every secret);
 * 109.6 kB (109,584 bytes) with the review's mends (a record's nothing written as null for .GET
 * too, `[]` for a text refused); 110.3 kB (110,343 bytes) with 0.26.0's own-field reading of
 * options, parameters, call options and the signers' inputs (a property on Object.prototype is none given: a polluted
 * `baseUrl` sent every signed request to another host) and BHEX's check of a file answer inside
 * the transport (its error loses its own request's signed values), and observers' warnings kept
 * apart per observer (one client's failing logger silenced another's warning); 110.8 kB (110,769
 * bytes) with the review's mends: a class instance's methods kept as options, copies that stay
 * fast objects, paginate/parseJson/acquire/signer options read as given, the body deadline's
 * interval made anew after a test's fake timers, and the rate limiter's and quant-ws' waits
 * ended when the clock stands still; 111.0 kB (110,975 bytes) with the names of the options that
 * take a function (a class instance's other methods are no options); 116.6 kB (116,581 bytes)
 * with 0.27.0's `maxInFlight` (the in-flight cap, core/in-flight.ts, 1.7 kB), proxy and TLS
 * failures read as nothing sent (whose certificate and why, a tunnel that carries bytes before
 * the request), the clock difference named on a refusal, Retry-After on the server's clock,
 * nested parameters read once, and the XT nonce kept increasing; 117.0 kB (117,025 bytes) with the
 * proxy password's messages (a "/" in it, escapes that are no UTF-8) and the silent proxy's;
 * 117.6 kB (117,640 bytes) with a success answer's inexact decimal read again for its envelope
 * and carried on the error (an order the server accepted is not `outcomeUnknown`); 117.9 kB
 * (117,922 bytes) with 0.28.0's typed error kinds, an attempt's event before it is sent, the
 * stall's second timeout, heldParams and the review's mends (an envelope's code twice, the login);
 * 118.1 kB (118,051 bytes) with a spec pattern's check of a text too long for the regex stack (millions
 * of characters) refused as a misfit, not a RangeError (base64 batch text, one class: 26 bytes less);
 * 118.2 kB (118,157 bytes) with a number given as XT's batch named as such (NaN was "beyond 2^53");
 * 119.1 kB (119,071 bytes) with the head's deadline on the sweep (a 1xx every second held a call
 * forever), a 303 to an order marked outcomeUnknown, and the fetch road's request for answers
 * not compressed (fetch reads a gzip body cut short as whole); 119.4 kB (119,430 bytes) with the
 * sweep's expiry after the poll phase (an answer that came during a stall is read) and the
 * compressed answer's own message; 119.7 kB (119,688 bytes) with the redaction of the bytes an
 * error keeps (Node's rawPacket held a proxy's Authorization); 119.9 kB (119,889 bytes) with the
 * bounds in a parameter's "out of range" message (minimum 0, maximum 500); 121.0 kB (120,959
 * bytes) with the rate limiter's waiter following earlier waiters only in the limits that have no
 * room for it (XT's IP limit made one queue of every signed call); 121.1 kB (121,095 bytes) with
 * the rate limiter's waiters kept per limit in an explicit queue, an aborted one taken out at once
 * (each kept ~5 KB of promise chain until the head moved); 121.3 kB (121,202 bytes) with a limiter
 * turn given back uncounted by an attempt that sent nothing (a slot's wait that timed out, a
 * signer that threw, an abort before the dispatch); 121.6 kB (121,572 bytes) with a RateLimiter
 * given without a rule the API names refused (one made for another API limited nothing) and its
 * ruleNames; 121.9 kB (121,819 bytes) with a 429's Retry-After hold kept per shared rate limiter
 * and API (a client sharing the limiter sent inside the hold another was given); 122.4 kB (122,317 bytes) with
 * a decimal's text in XT's batch items (written as the number, every digit); 122.7 kB (122,738
 * bytes) with the rate limiter's waiters started from one loop (1,300 freed at once overflowed the
 * stack) and lines of the waiters that follow a limit (one blocked by another limit held them);
 * 122.9 kB (122,822 bytes) with JSON's own grammar for a batch's decimal text (`01.5`) and an
 * encoded batch checked by its JSON types; 122.7 kB (122,680 bytes) once that grammar was json.ts's
 * own (a twin regex) and the limiter's room check its follows list; 123.0 kB (122,972 bytes) with
 * at most five stacked codings decoded, a decoding ended by the timeout or the caller's abort, and
 * the forms of a secret's UTF-16LE bytes (hex, base64) in the redactor; 123.0 kB (123,025 bytes) with
 * the codings limit applied to a body with bytes only (an empty 503 stays an HttpError); 122.9 kB
 * (122,898 bytes) with the limiter's waiters in one line looked over in order at each change
 * (a waiter held in a limit's line behind one blocked by another limit was overtaken); 123.5 kB
 * (123,545 bytes) with a secret inside a word taking its word in the redactor, and the limiter's
 * same-step abort refused, one pass for a tick's aborts and sets of limits passed over; 124.6 kB
 * (124,621 bytes) with the secret's word read as the search reads the text (escapes whole,
 * unseen characters passed, not "_" nor Chinese, 64 characters each side); 125.1 kB (125,123
 * bytes) with a stretch never ending inside an escape, doubled backslashes read, and the values
 * of secret names found before a secret's word could take the name.
 */
import { builtinModules } from "node:module";
import { resolve } from "node:path";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { meta as docs } from "../generated/xt-spot.docs.js";

const ROOT = resolve(import.meta.dirname, "..");
const TARGET = 30_000;
const CEILING = 125_200;
/** The runtime metadata's share of the bundle (parameters, envelopes, error codes, answer schemas). */
const META_CEILING = 7_250;

/** How a consumer's bundler would build it: everything inside but Node's modules and undici (ws: quant-ws only). */
const CONSUMER_BUILD = {
  bundle: true,
  minify: true,
  platform: "node",
  format: "esm",
  write: false,
  metafile: true,
  logLevel: "silent",
  external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`), "undici", "ws"],
} satisfies BuildOptions;

let text = "";
let inputs: Metafile["outputs"][string]["inputs"] = {};

beforeAll(async () => {
  const result = await build({ ...CONSUMER_BUILD, entryPoints: [resolve(ROOT, "src/handwritten/xt/index.ts")] });
  text = result.outputFiles[0]!.text;
  inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  const rows = Object.entries(inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .map(([file, v]) => `  ${String(v.bytesInOutput).padStart(6)}  ${file.replace(/^.*node_modules\//, "npm:")}`);
  const bytes = Buffer.byteLength(text);
  console.log(`tradeapi/xt bundled + minified: ${bytes} bytes (target ${TARGET}, ceiling today ${CEILING})\n${rows.join("\n")}`);
}, 60_000);

const contribution = (suffix: string) => Object.entries(inputs).find(([f]) => f.endsWith(suffix))?.[1].bytesInOutput ?? 0;

describe("tradeapi/xt bundle size", () => {
  it(`stays under the ceiling (${CEILING} bytes minified; target ${TARGET})`, () => {
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(CEILING);
  });

  it("loads the runtime metadata only: no docs metadata, no summaries, descriptions or examples", () => {
    expect(Object.keys(inputs).filter((f) => f.includes("generated/"))).toEqual(["generated/xt-spot.meta.ts"]);
    expect(contribution("generated/xt-spot.meta.ts")).toBeGreaterThan(0);
    expect(contribution("generated/xt-spot.meta.ts")).toBeLessThanOrEqual(META_CEILING);
    const order = docs.operations.find((o) => o.operationId === "order")!;
    const prose = [order.summary, docs.servers[0]!.description!, order.params[0]?.description ?? order.body?.properties.market?.description];
    for (const p of prose.filter((x): x is string => Boolean(x))) expect(text.includes(JSON.stringify(p).slice(1, 30)), p).toBe(false);
    expect(text).not.toContain("x-doc-section");
    expect(text).not.toContain('"example"');
  });

  it("the root export is as small for one client: package.json's sideEffects lets a bundler drop the other APIs", async () => {
    // `import { createXtClient } from "tradeapi"` (the root re-exports all five APIs): 135 kB,
    // ws and every other spec's metadata included, before package.json said "sideEffects": false.
    const result = await build({ ...CONSUMER_BUILD, stdin: { contents: 'export { createXtClient } from "./src/index.js";', resolveDir: ROOT, loader: "ts" } });
    const files = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs);
    expect(files.filter((f) => f.includes("generated/"))).toEqual(["generated/xt-spot.meta.ts"]);
    expect(files.filter((f) => /handwritten\/(bhex|hubi|xele|quant-ws)\//.test(f))).toEqual([]);
    expect(Buffer.byteLength(result.outputFiles[0]!.text)).toBeLessThanOrEqual(Buffer.byteLength(text));
  });
});
