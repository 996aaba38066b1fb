/**
 * The core Redactor (src/handwritten/core/redaction.ts): each form an echoing server may print
 * a secret in, the by-name patterns, errors and bodies, and what it must leave alone.
 */
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError, HttpError, MAX_SHOWN_TEXT, redact, Redactor, snippet, TradeApiError } from "../../src/handwritten/core/errors.js";
import { redactUrl, secretForms, secretNamedValues, urlCredentials } from "../../src/handwritten/core/redaction.js";
import { urlShown } from "../../src/handwritten/core/validate.js";
import { fcSeed } from "../helpers/fc-seed.js";

const SECRET = "S3cr3t-Value_with+/=chars";
const r = new Redactor([SECRET]);
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const REDACTED_TEXT = "[redacted]";

describe("Redactor: every form of a known value", () => {
  it.each([
    ["as is", SECRET],
    ["upper case", SECRET.toUpperCase()],
    ["URL-encoded", encodeURIComponent(SECRET)],
    ["URL-encoded twice", encodeURIComponent(encodeURIComponent(SECRET))],
    ["form-encoded", new URLSearchParams({ x: SECRET }).toString().slice(2)],
    ["URL-encoded with / kept (Python's quote)", encodeURIComponent(SECRET).replace(/%2F/g, "/")],
    ["JSON-escaped", JSON.stringify(SECRET).slice(1, -1)],
    ["hex of its bytes", Buffer.from(SECRET).toString("hex")],
    ["hex upper case", Buffer.from(SECRET).toString("hex").toUpperCase()],
    ["base64", b64(SECRET)],
    ["base64url", Buffer.from(SECRET).toString("base64url")],
    ["JSON-escaped as PHP does (\\/)", SECRET.replace(/\//g, "\\/")],
  ])("%s", (_name, form) => {
    const out = r.text(`before ${form} after`);
    expect(out).toBe("before [redacted] after");
  });

  it("a value past ASCII, JSON-escaped as PHP does by default (\\uXXXX, \\/)", () => {
    const secret = "clé-sécrète/2024";
    expect(new Redactor([secret]).text('{"msg":"bad key cl\\u00e9-s\\u00e9cr\\u00e8te\\/2024"}')).toBe('{"msg":"bad key [redacted]"}');
  });

  it("JSON-escaped as Go's encoding/json writes it (< > & and U+2028 as \\uXXXX), also past ASCII", () => {
    const secret = "SKsecret&<BB>5678\u2028é";
    const go = '{"echo":"SKsecret\\u0026\\u003cBB\\u003e5678\\u2028\\u00e9"}';
    expect(new Redactor([secret]).text(go)).toBe('{"echo":"[redacted]"}');
    expect(new Redactor([secret]).text(go.replace("\\u00e9", "é"))).toBe('{"echo":"[redacted]"}');
  });

  it("URL-encoded by encoders that also escape ! ' ( ) * ~ (Python's quote, Java's URLEncoder, Go, PHP)", () => {
    const password = "it's (a) pass*word~!";
    const red = new Redactor([password]);
    for (const shown of [
      encodeURIComponent(password),
      "it%27s%20%28a%29%20pass%2Aword~%21", // Python's quote, Go's PathEscape-like
      "it%27s+%28a%29+pass*word%7E%21", // Java's URLEncoder (* kept, ~ escaped)
      "it%27s+%28a%29+pass%2Aword%7E%21", // PHP's urlencode
      "it%27s+%28a%29+pass%2Aword~%21", // Python's quote_plus, Go's QueryEscape
      "it%27s%20%28a%29%20pass%2Aword%7E%21", // PHP's rawurlencode before 5.3
    ]) expect(red.text(`bad password: ${shown}.`), shown).toBe("bad password: [redacted].");
    // Python's quote_plus(s, safe="/"): a space as "+" and "/" kept.
    expect(new Redactor(["a b/c+d=="]).text("x=a+b/c%2Bd%3D%3D y")).toBe("x=[redacted] y");
  });

  it("as Python's json.dumps (\\uXXXX past ASCII, also inside base64), repr and Node's util.inspect print it", () => {
    const password = "Straße/密码'\\1";
    const red = new Redactor([password]);
    const pyJson = "Stra\\u00dfe/\\u5bc6\\u7801'\\\\1";
    const pyRepr = "Straße/密码\\'\\\\1";
    for (const shown of [pyJson, pyJson.toUpperCase(), pyRepr, "Straße/密码'\\\\1"]) expect(red.text(`<${shown}>`), shown).toBe("<[redacted]>");
    const b64 = Buffer.from(`{"token": "${pyJson}", "n": 1}`).toString("base64");
    expect(red.text(`?params=${b64}`)).not.toContain(Buffer.from(pyJson).toString("base64").slice(4, 16));
  });

  it("normalized by the server (NFC, NFD, NFKC), as is or encoded", () => {
    const composed = "Café-Ünïcode-1"; // NFC
    const decomposed = composed.normalize("NFD");
    for (const [secret, shown] of [
      [composed, decomposed],
      [decomposed, composed],
      [composed, encodeURIComponent(decomposed)],
      [composed, JSON.stringify(decomposed).slice(1, -1)],
      ["ＰＡＳＳ-ｗｏｒｄ-1", "PASS-word-1"], // fullwidth letters, NFKC
    ]) expect(new Redactor([secret!]).text(`bad: ${shown}.`), shown).toBe("bad: [redacted].");
  });

  it("HTML- or XML-escaped, as an error page that echoes the request prints it", () => {
    const password = `p&ss<w>"o'rd-1`;
    const red = new Redactor([password]);
    for (const shown of [
      "p&amp;ss&lt;w&gt;&quot;o'rd-1", // Java's escapeHtml4, Go's html.EscapeString without '
      "p&amp;ss&lt;w&gt;&quot;o&#x27;rd-1", // Python's html.escape
      "p&amp;ss&lt;w&gt;&quot;o&#039;rd-1", // PHP's htmlspecialchars
      "p&amp;ss&lt;w&gt;&quot;o&#39;rd-1", // Go's html.EscapeString
      "p&amp;ss&lt;w&gt;&quot;o&apos;rd-1", // XML
      "P&AMP;SS&LT;W&GT;&QUOT;O&#X27;RD-1",
      `p&amp;ss&lt;w&gt;"o'rd-1`, // Python's html.escape(quote=False)
      "p&amp;ss&lt;w&gt;&#34;o&#39;rd-1", // Go's html.EscapeString
    ]) expect(red.text(`<p>password=${shown}</p>`), shown).toBe("<p>password=[redacted]</p>");
    // Past ASCII, as an ASCII-only page writes it: character references, decimal or hex.
    const accented = new Redactor(["Café-密码-😀-1"]);
    for (const shown of ["Caf&#233;-&#23494;&#30721;-&#128512;-1", "Caf&#xe9;-&#x5bc6;&#x7801;-&#x1f600;-1", "CAF&#XE9;-&#X5BC6;&#X7801;-&#X1F600;-1"]) {
      expect(accented.text(`<p>${shown}</p>`), shown).toBe("<p>[redacted]</p>");
    }
  });

  it("every character escaped (an encoder that escapes all: &#NN;, &#xNN;, every byte %XX) and the ASCII in full width", () => {
    const secret = "hubiSECRET-aB3+/x=Yz9&q‹é'\"";
    const red = new Redactor([secret]);
    const chars = [...secret];
    for (const shown of [
      chars.map((c) => `&#${c.codePointAt(0)};`).join(""),
      chars.map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join(""),
      chars.map((c) => `&#X${c.codePointAt(0)!.toString(16).toUpperCase()};`).join(""),
      Buffer.from(secret).toString("hex").replace(/../g, "%$&"),
      Buffer.from(secret).toString("hex").toUpperCase().replace(/../g, "%$&"),
      secret.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
    ]) expect(red.text(`<p>key=${shown}</p>`), shown).toBe("<p>key=[redacted]</p>");
    // A letters-and-digits secret too (its %XX form of every byte).
    expect(new Redactor(["abcd1234"]).text("x=%61%62%63%64%31%32%33%34;")).toBe("x=[redacted];");
  });

  it("any mix of escaped characters: JSON's \\uXXXX (a raw body quoted in a message keeps them), zero-padded and hex references, %XX", () => {
    const secret = "sk-live-5e2b8c1d9a7f3064";
    const red = new Redactor([secret]);
    const u = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    for (const shown of [
      [...secret].map(u).join(""),
      [...secret].map((c, i) => (i % 3 === 0 ? u(c).toUpperCase().replace("\\U", "\\u") : c)).join(""),
      `sk-live-5e2b${u("8")}c1d9a7f3064`,
      [...secret].map((c) => `&#0${c.charCodeAt(0)};`).join(""),
      [...secret].map((c, i) => (i % 2 ? `&#x${c.charCodeAt(0).toString(16)};` : `%${c.charCodeAt(0).toString(16)}`)).join(""),
    ]) expect(red.text(`{"data":"echo ${shown} end"}`), shown).toBe('{"data":"echo [redacted] end"}');
    // What is not a secret stays as written, escapes and all.
    expect(red.text('{"a":"\\u0041&#66;%43 sk-live"}')).toBe('{"a":"\\u0041&#66;%43 sk-live"}');
    // A body with one escaped character, quoted once more (a message quoting a frame): the
    // escape's "\\" doubled, or doubled twice.
    const once = `{"echo":"sk-live-${u("5")}e2b8c1d9a7f3064"}`;
    for (const quoted of [JSON.stringify(once), JSON.stringify(JSON.stringify(once))]) {
      const out = red.text(quoted);
      expect(out, quoted).toContain("[redacted]");
      expect(out, quoted).not.toMatch(/e2b8c1d9a7f3064/);
    }
    expect(red.text('"ok \\\\u0045 text"')).toBe('"ok \\\\u0045 text"');
  });

  it("a long run of backslashes (a server's answer) costs linear time: a doubled escape is matched from its run's start only", () => {
    const red = new Redactor(["sk-live-5e2b8c1d9a7f3064"]);
    for (const run of ["\\".repeat(200_000), `${"\\".repeat(100_000)}u00`, `${"\\".repeat(100_000)}u0041`]) {
      const t0 = performance.now();
      red.text(`{"data":"${run}"}`);
      // (quadratic, 200,000 took about 20 s; linear, a few ms)
      expect(performance.now() - t0).toBeLessThan(1_500);
    }
  });

  it("inside a longer base64 text, at every alignment, plain or URL-encoded", () => {
    for (const prefix of ["", "a", "ab", "abc", '{"token":"']) {
      const encoded = b64(`${prefix}${SECRET}","more":"fields after the secret"}`);
      for (const form of [encoded, encodeURIComponent(encoded), encoded.replace(/\+/g, "-").replace(/\//g, "_")]) {
        const out = r.text(`GET /x?params=${form} HTTP/1.1`);
        // Decode every base64 run the way a reader would: the secret must be gone.
        const runs = out.match(/[A-Za-z0-9+/_-]{8,}/g) ?? [];
        for (const run of runs) for (let o = 0; o < 4; o++) expect(Buffer.from(run.slice(o), "base64").toString("latin1")).not.toContain(SECRET.slice(3, 19));
        expect(out).toContain("[redacted]");
      }
    }
  });

  it("a text cut inside a secret loses the piece before the cut", () => {
    expect(r.text(`token is ${SECRET.slice(0, 9)}…`)).toBe("token is [redacted]…");
    expect(r.text(`(body starts: "x ${SECRET.slice(0, 7)}…")`)).toBe('(body starts: "x [redacted]…")');
    // A short accidental overlap (< 6 characters) is kept.
    expect(r.text("S3cr…")).toBe("S3cr…");
  });

  it("two secrets that overlap in a text are both removed whole (the second one's tail was kept)", () => {
    const a = "k3y-0123456789ab";
    const b = "89ab-tail-SECRET";
    const red = new Redactor([a, b]);
    // a then b sharing "89ab", and b then a sharing nothing: one stretch each way.
    expect(red.text(`x k3y-0123456789ab-tail-SECRET y`)).toBe("x [redacted] y");
    expect(red.text(`x 89AB-TAIL-SECRETk3y-0123456789ab y`)).toBe("x [redacted] y");
    expect(red.text(`x 89AB-TAIL-SECRET-k3y-0123456789ab y`)).toBe("x [redacted]-[redacted] y");
    // A secret inside another's form, and a long form (past 256 characters) overlapping a short one.
    const long = `T${"0123456789abcdef".repeat(20)}`;
    const tail = `${long.slice(-10)}~after-secret`;
    expect(new Redactor([long, tail]).text(`<${long}~after-secret>`)).toBe("<[redacted]>");
    expect(new Redactor([long, tail]).text(`<${long.slice(-30)}~after-secret>`)).toBe(`<[redacted]>`);
    expect(new Redactor([long, tail]).text(`<${long.slice(-30, -10)}.${long.slice(-10)}~after-secret>`)).toBe(`<${long.slice(-30, -10)}.[redacted]>`);
  });

  it("a secret's word is read as the search reads the text: escapes taken whole (the JSON stays JSON), unseen characters passed, not past \"_\", Chinese or 64 characters", () => {
    const r1 = new Redactor(["abcd1234"]);
    const json = r1.text(String.raw`{"msg":"\u7528\u6237abcd1234\u4e0d","b":"key:\nabcd1234x"}`);
    expect(json).toBe(String.raw`{"msg":"\u7528\u6237[redacted]\u4e0d","b":"key:\n[redacted]"}`);
    expect(JSON.parse(json)).toEqual({ msg: "用户[redacted]不", b: "key:\n[redacted]" });
    const pass = new Redactor(["pass"]);
    // Percent-encoded, the word's rest was "%77%6f%72%64" ("word"), and the %20 before it lost its digits.
    expect(pass.text("msg=wrong%20user%20name%20or%20%70%61%73%73%77%6f%72%64&x=1")).toBe("msg=wrong%20user%20name%20or%20[redacted]&x=1");
    expect(pass.text("or pass\u00adword, or pass\u200bword")).toBe("or [redacted], or [redacted]");
    expect(pass.text("&#x61;pass&#98;x y; a%41passXYZ! %2020pass")).toBe("[redacted] y; [redacted]! %20[redacted]");
    // Chinese has no spaces: its "word" was the rest of the vendor's sentence.
    expect(new Redactor(["ab12cd34"]).text("登录失败：投资者ab12cd34的密码错误或账户已被冻结请联系客服")).toBe("登录失败：投资者[redacted]的密码错误或账户已被冻结请联系客服");
    // "_" joins names: the name after it is still read as one (its value was shown).
    expect(new Redactor(["trade"]).text("trade_password=hunter2&x=1")).toBe("[redacted]_password=[redacted]&x=1");
    expect(pass.text(`${"x".repeat(100)}pass${"y".repeat(100)}`)).toBe(`${"x".repeat(36)}[redacted]${"y".repeat(36)}`);
  });

  it("JSON quoted twice stays JSON and loses the word; a stretch never leaves half an escape; a secret that begins a name does not show the name's value", () => {
    const r = new Redactor(["pass"]);
    const inner = String.raw`{"msg":"Stra\u00dfepass1 or pass\u0077\u006f\u0072\u0064"}`;
    const twice = r.text(JSON.stringify({ upstream: inner }));
    expect(JSON.parse(twice)).toEqual({ upstream: '{"msg":"[redacted] or [redacted]"}' });
    expect(r.text(JSON.stringify({ m: "\\u0077pass ok" }))).toBe('{"m":"[redacted] ok"}');
    // A secret whose first characters are an escape's last ones (\u001f then "abc1234").
    expect(JSON.parse(new Redactor(["fabc1234"]).text(JSON.stringify({ m: "\x1fabc1234 ok" })))).toEqual({ m: "[redacted] ok" });
    expect(new Redactor(["0abcd123"]).text("a=%20abcd123&b=1")).toBe("a=[redacted]&b=1");
    // "session" takes the name sessionToken with its word: the value is found by the name first.
    expect(new Redactor(["session"]).text("sessionToken=eyJhbGciOi&x=1")).toBe("[redacted]=[redacted]&x=1");
    expect(new Redactor(["login"]).text("loginPassword=hunter2")).toBe("[redacted]=[redacted]");
    expect(JSON.parse(new Redactor(["session"]).text('{"sessionToken":"eyJhbGciOi","n":1}'))).toEqual({ "[redacted]": "[redacted]", n: 1 });
    expect(r.text("x pass%C3%A9word y")).toBe("x [redacted] y");
    // Bidi marks are unseen inside a word too.
    expect(r.text("pass\u200eword x")).toBe("[redacted] x");
  });

  it("a JSON text stays JSON whatever secrets it holds, quoted once or twice, escaped or not (property)", () => {
    const secrets = ["pass", "S3cr3t-Key", "tok_9f3e", "密码密码"];
    const red = new Redactor(secrets);
    const piece = fc.oneof(fc.constantFrom(...secrets), fc.string({ unit: fc.constantFrom("a", "\\", "u", "0", "%", "2", "&", "#", ";", "\x1f", "é", "密", " ", "_", '"', "\u200e"), maxLength: 8 }));
    const text = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("msg", "token", "info", "a"), text), fc.boolean(), fc.boolean(), (obj, twice, ascii) => {
        let json = JSON.stringify(obj);
        if (ascii) json = json.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
        if (twice) json = JSON.stringify({ upstream: json });
        const out = red.text(json);
        expect(() => JSON.parse(out), out).not.toThrow();
      }),
      { seed: fcSeed(20261208), numRuns: 3000 },
    );
  });

  it("a secret inside a word loses the whole word: a weak password is not told by the vendor's text around it", () => {
    const red = new Redactor(["pass", "Sécret"]);
    expect(red.text("wrong user name or password")).toBe("wrong user name or [redacted]");
    expect(red.text("bypass: denied")).toBe("[redacted]: denied");
    expect(red.text("login=user&pwd2=xpass1&x=PASS")).toBe("login=user&pwd2=[redacted]&x=[redacted]");
    expect(red.text("(SÉCRETé_x) ok")).toBe("([redacted]_x) ok");
    expect(r.error(new ApiError({ api: "xele", operation: "login", code: 8, vendorMessage: "wrong user name or password" })).vendorMessage).toBe("wrong user name or password");
    const weak = new Redactor(["word"]).error(new ApiError({ api: "xele", operation: "login", code: 8, vendorMessage: "wrong user name or password" }));
    expect(weak.vendorMessage).toBe("wrong user name or [redacted]");
    expect(weak.message).not.toMatch(/pass|word/);
  });

  it("every character inside an occurrence of a secret's form is removed, with the rest of its word (property, against a plain search)", () => {
    // Texts and secrets over a small alphabet, so that occurrences overlap often; junk with
    // characters that end a word (" ", "-"). At most 60 characters: a word is followed 64 each
    // side (a test below).
    const unit = fc.constantFrom("a", "b", "c", "0", "1");
    const word = (min: number, max: number) => fc.string({ unit, minLength: min, maxLength: max });
    const junk = fc.string({ unit: fc.oneof(unit, fc.constantFrom(" ", "-")), maxLength: 6 });
    const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
    fc.assert(
      fc.property(fc.array(word(4, 12), { minLength: 1, maxLength: 3 }), fc.array(fc.oneof(junk, fc.nat(2)), { maxLength: 5 }), (secrets, parts) => {
        // The text: junk and the secrets, each piece glued with a random overlap to the one before.
        let text = "";
        for (const p of parts) {
          if (typeof p === "string") text += p;
          else {
            const s = secrets[p % secrets.length]!;
            let k = 0;
            for (let n = Math.min(s.length - 1, text.length); n > 0; n--) if (text.endsWith(s.slice(0, n))) { k = n; break; }
            text += s.slice(k);
          }
        }
        const forms = [...new Set(secrets.flatMap((s) => secretForms(s)).map((f) => f.toLowerCase()))];
        // Expected: each run of covered characters replaced (runs that only touch stay two).
        const spans: Array<[number, number]> = [];
        for (const f of forms)
          for (let i = text.indexOf(f); i >= 0; i = text.indexOf(f, i + 1)) {
            let [from, to] = [i, i + f.length];
            while (isWord(text[from - 1])) from--;
            while (isWord(text[to])) to++;
            spans.push([from, to]);
          }
        spans.sort((x, y) => x[0] - y[0]);
        let expected = "";
        let end = 0;
        let open = -1;
        for (const [from, to] of spans) {
          if (open >= 0 && from < open) open = Math.max(open, to);
          else {
            if (open >= 0) end = open;
            expected += text.slice(end, from) + REDACTED_TEXT;
            open = to;
          }
        }
        expected += open >= 0 ? text.slice(open) : text;
        expect(new Redactor(secrets).text(text)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("snippet redacts before it cuts", () => {
    const body = `${"x".repeat(190)}${SECRET}`;
    expect(snippet(body, [SECRET])).not.toMatch(/S3cr3t/i);
    expect(snippet(body, [SECRET], 195)).not.toMatch(/S3cr3/i);
  });

  const wrap = (t: string, every: number, br: string) => t.replace(new RegExp(`(.{${every}})`, "gs"), `$1${br}`);
  it.each([
    ["wrapped by line breaks", (t: string) => wrap(t, 5, "\n")],
    ["wrapped by CRLF", (t: string) => wrap(t, 7, "\r\n")],
    ["as UTF-16LE bytes read as UTF-8 (a NUL after each character)", (t: string) => Buffer.from(t, "utf16le").toString("latin1")],
    ["as UTF-16BE bytes read as UTF-8 (a NUL before each character)", (t: string) => Buffer.from(t, "utf16le").swap16().toString("latin1")],
    ["with soft hyphens and zero-width spaces", (t: string) => wrap(wrap(t, 4, "\u00ad"), 9, "\u200b")],
    ["with every byte percent-encoded", (t: string) => [...Buffer.from(t)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")],
    ["hex, wrapped", (t: string) => wrap(Buffer.from(t).toString("hex"), 16, "\n")],
    ["base64, wrapped at 8 (as MIME wraps at 76)", (t: string) => wrap(b64(t), 8, "\r\n")],
  ])("a secret %s is found across what parts it, and the text around it is kept", (_name, form) => {
    // (what parts it at its very start or end stays: the secret is what lies between)
    const out = r.text(`GET /x?key=1\nbefore ${form(SECRET).replace(/^[\0\r\n\u00ad\u200b]+|[\0\r\n\u00ad\u200b]+$/g, "")} after\n`);
    expect(out).toBe("GET /x?key=1\nbefore [redacted] after\n");
  });

  it("spaces and tabs still part words: a secret split by them is not joined (a 4-character one would erase text)", () => {
    expect(new Redactor(["abcd"]).text("ab cd ab\tcd")).toBe("ab cd ab\tcd");
    expect(new Redactor(["abcd"]).text("ab\ncd")).toBe("[redacted]");
  });

  it("a snippet of a wrapped echo shows no piece of the secret; of a huge page, only its start is redacted", () => {
    const page = `HTTP 400\n${wrap(`GET /x?sig=${SECRET}&a=1`, 6, "\n")}\n`;
    expect(snippet(page, [SECRET])).toBe("HTTP 400 GET /x ?sig=[redacted] &a=1");
    const lengths: number[] = [];
    class Counting extends Redactor {
      override text(t: string): string {
        lengths.push(t.length);
        return super.text(t);
      }
    }
    const big = `${"x".repeat(150)} ${SECRET} ${"<p>error page</p>\n".repeat(1_000_000)}`;
    const shown = snippet(big, new Counting([SECRET]));
    expect(shown).toMatch(/^x{150} \[redacted\] <p>error page<\/p> <p>.*…$/);
    expect(shown.length).toBeLessThanOrEqual(201);
    expect(Math.max(...lengths)).toBeLessThan(2_000);
    // Cut inside the secret (the excerpt's end falls in it): the piece before the cut is gone too.
    const cut = snippet(`${"y".repeat(190)}\n${SECRET}${"z".repeat(100_000)}`, [SECRET]);
    expect(cut).toMatch(/^y{190} \[redac[a-z\]]*…$/);
  });

  it("values shorter than 4 characters are not searched for (they would erase ordinary text)", () => {
    expect(new Redactor(["ab"]).text("about a tab")).toBe("about a tab");
  });
});

describe("Redactor: values it was not told about, by name", () => {
  it.each([
    ["signature=abcdef0123&x=1", "signature=[redacted]&x=1"],
    ["?accesskey=AK123456&nonce=1", "?accesskey=[redacted]&nonce=1"],
    ["trade_password=hunter22 ok", "trade_password=[redacted] ok"],
    ['{"token":"tk-9999","x":1}', '{"token":"[redacted]","x":1}'],
    ['{"secret_key" : "sk-1234"}', '{"secret_key":"[redacted]"}'],
    ["X-API-Signature: 0a1b2c3d4e5f", "X-API-Signature: [redacted]"],
    ["x-api-nonce:ffee0011", "x-api-nonce:[redacted]"],
    ["X-ACCESS-KEY: AK-123456", "X-ACCESS-KEY: [redacted]"],
    ["Authorization: Bearer tok.en-123", "Authorization: Bearer [redacted]"],
    ["got Bearer abcdefgh123", "got Bearer [redacted]"],
    ["http://user:pa55word@host:1/x", "http://[redacted]@host:1/x"],
    // A password with an "@" left unencoded: the URL parser takes the last "@" of the authority.
    ["http://user:p@55@word@host:1/x?to=a@b", "http://[redacted]@host:1/x?to=a@b"],
  ])("%s", (given, want) => {
    expect(new Redactor().text(given)).toBe(want);
  });

  it.each([["design=blue"], ["assign=1"], ["tokens are counted"], ["no key here: 12"], ["https://host/path?x=a@b"]])("leaves %s alone", (text) => {
    expect(new Redactor().text(text)).toBe(text);
  });

  it.each([
    ['{"op":"x","token":"tk-9999","n":1}'],
    ['{"token":"tk-9\\"99\\\\9","n":1}'],
    ['{"access_key":12345678}'],
    ['{"token":"tk-99999999'],
  ])("inside a message that quotes the JSON text %s (its escapes doubled)", (json) => {
    const out = new Redactor().text(`bad frame (body starts: ${JSON.stringify(json)})`);
    expect(out).toMatch(/\\"(token|access_key)\\":\\"\[redacted\]\\"/);
    expect(out).not.toMatch(/tk-9|12345678/);
  });

  it("secretNamedValues finds them in pairs and in JSON text", () => {
    expect(secretNamedValues([["user_id", "1"], ["trade_password", "pw-1234"]], '{"a":{"token":"tk-1","n":2}}')).toEqual(["pw-1234", "tk-1"]);
  });
});

describe("Redactor: bodies and errors", () => {
  it("value() copies a body, redacting strings and secret-named fields, keeping numbers and bigints", () => {
    const body = { msg: `echo ${SECRET}`, signature: "abc123", n: 9007199254740993n, list: [SECRET, 1], nested: { token: 12345678, auth_code: "ABCDEFGH12345678", unique_id: 7 } };
    const out = r.value(body);
    expect(out).toEqual({ msg: "echo [redacted]", signature: "[redacted]", n: 9007199254740993n, list: ["[redacted]", 1], nested: { token: "[redacted]", auth_code: "[redacted]", unique_id: 7 } });
    expect(body.msg).toContain(SECRET);
  });

  it("value() replaces a number or bigint whose digits hold a secret (a PIN a server echoes as a JSON number)", () => {
    const pin = new Redactor(["739155", "012345"]);
    expect(pin.value({ errors: [{ field: "safePwd", value: 739155 }], big: 739155n, lead: 12345, n: 7391, t: 1739155000000, id: 97391550000000000000n })).toEqual({ errors: [{ field: "safePwd", value: "[redacted]" }], big: "[redacted]", lead: "[redacted]", n: 7391, t: 1739155000000, id: 97391550000000000000n });
    // through a client: XT withdraw's fund password in the error's body, as JSON and as util.inspect shows it
    const e = pin.error(new ApiError({ api: "xt", code: 104, body: { data: { safePwd: 739155, rejected: [739155] } } }));
    expect(JSON.stringify(e.body)).toBe('{"data":{"safePwd":"[redacted]","rejected":["[redacted]"]}}');
  });

  it('value() keeps a "__proto__" key of a parsed body as a key: the copy\'s prototype is not the server\'s object', () => {
    const body = JSON.parse(`{"msg":"${SECRET}","__proto__":{"isAdmin":true,"token":"t-123456"}}`) as Record<string, unknown>;
    const out = r.value(body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.isAdmin).toBeUndefined();
    expect(Object.keys(out)).toEqual(["msg", "__proto__"]);
    expect(JSON.stringify(out)).toBe('{"msg":"[redacted]","__proto__":{"isAdmin":true,"token":"[redacted]"}}');
    const e = r.error(new ApiError({ api: "xt", code: 1, body }));
    expect(Object.getPrototypeOf(e.body)).toBe(Object.prototype);
    expect(Object.keys(e.body as object)).toEqual(["msg", "__proto__"]);
  });

  it("value() redacts at any depth (100 000 levels: no depth limit, no stack overflow), cycles kept", () => {
    let deep: unknown = { msg: SECRET, id: 9007199254740993n };
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? { d: deep } : [deep];
    let out = r.value(deep) as unknown;
    for (let i = 0; i < 100_000; i++) out = Array.isArray(out) ? out[0] : (out as { d: unknown }).d;
    expect(out).toEqual({ msg: "[redacted]", id: 9007199254740993n });
    const cyclic: Record<string, unknown> = { s: SECRET };
    cyclic.self = cyclic;
    const copy = r.value(cyclic);
    expect(copy.self).toBe(copy);
    expect(copy.s).toBe("[redacted]");
  });

  it("an error whose body holds bigints deeper than any fixed limit still serializes", () => {
    let body: unknown = { id: 9007199254740993n };
    for (let i = 0; i < 200; i++) body = { d: body };
    const json = JSON.stringify(new ApiError({ api: "bhex", code: 1, body }));
    expect(json).toContain('"id":"9007199254740993"');
  });

  it("error() redacts message, stack, fields and the whole cause chain in place", () => {
    const inner = new Error(`inner ${SECRET}`);
    const mid = new HttpError(500, `snippet ${SECRET}`, { api: "x", cause: inner });
    const outer = new ApiError({ api: "x", code: 1, vendorMessage: `vendor ${SECRET}`, body: { echo: SECRET }, cause: mid });
    const same = r.error(outer);
    expect(same).toBe(outer);
    const all = [outer, mid, inner].map((e) => `${e.message}\n${e.stack}\n${inspect(e, { depth: 10, showHidden: true })}\n${JSON.stringify(e)}`).join("\n");
    expect(all).not.toContain(SECRET);
    expect(outer.vendorMessage).toBe("vendor [redacted]");
    expect(mid.bodySnippet).toBe("snippet [redacted]");
    expect(outer).toBeInstanceOf(ApiError);
  });

  it("error() redacts the bytes an error keeps (Node's rawPacket): ASCII, Basic auth and UTF-8 secrets; bytes without one are left as they are", () => {
    const pin = "Пароль-9";
    const r2 = new Redactor([SECRET, pin]);
    const inner = Object.assign(new Error("Parse Error: Invalid status code"), {
      rawPacket: Buffer.from(`HTTP/1.1 9x9 ${SECRET} | authorization: Basic ${Buffer.from(`u:${SECRET}`).toString("base64")}\r\n`, "latin1"),
      utf8: new TextEncoder().encode(`échoed ${pin}`),
      clean: new Uint8Array([0, 255, 128, 10]),
    });
    const clean = inner.clean;
    const outer = new Error("outer", { cause: inner });
    r2.error(outer);
    const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    expect(text(inner.rawPacket).toString("latin1")).toBe("HTTP/1.1 9x9 [redacted] | authorization: Basic [redacted]\r\n");
    expect(text(inner.utf8).toString("utf8")).toBe("échoed [redacted]");
    expect(inner.clean).toBe(clean);
  });

  it("errors serialize to their (redacted) facts", () => {
    const e = r.error(new ApiError({ api: "xt", operation: "getBalance", code: 104, vendorMessage: `bad ${SECRET}` }));
    const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    expect(json).toMatchObject({ name: "ApiError", api: "xt", operation: "getBalance", code: 104, vendorMessage: "bad [redacted]" });
    expect(String(json.message)).toContain("[redacted]");
  });

  it("a long server text is cut in the message (saying how much is left out) and kept whole in its field; a secret cut there is redacted", () => {
    const long = "v".repeat(60_000);
    const e = new ApiError({ api: "xt", code: long, vendorMessage: long });
    expect(e.message.length).toBeLessThan(2 * MAX_SHOWN_TEXT + 200);
    expect(e.message).toContain(`${"v".repeat(MAX_SHOWN_TEXT)}… (${60_000 - MAX_SHOWN_TEXT} more characters in error.vendorMessage)`);
    expect(e.message).toContain(`… (${60_000 - MAX_SHOWN_TEXT} more characters in error.code)`);
    expect(e.vendorMessage).toBe(long);
    expect(e.code).toBe(long);
    const short = new ApiError({ api: "xt", code: 1, vendorMessage: "v".repeat(MAX_SHOWN_TEXT) });
    expect(short.message).toBe(`xt: code 1 ${"v".repeat(MAX_SHOWN_TEXT)}`);
    // The cut falls 10 characters into the secret: those 10 are redacted with the rest.
    const cut = r.error(new ApiError({ api: "xt", code: 1, vendorMessage: `${"v".repeat(MAX_SHOWN_TEXT - 10)}${SECRET} and more` }));
    expect(cut.message).toContain(`v[redacted]… (`);
    expect(cut.message).not.toContain(SECRET.slice(0, 10));
    expect(cut.vendorMessage).toBe(`${"v".repeat(MAX_SHOWN_TEXT - 10 - 64)}[redacted] and more`);
  });

  it("a text cut before any number of cut marks: no piece of 6+ characters that begins a secret's form is left before a cut", () => {
    const secrets = [SECRET, "ak-other-Ünïcode-9f3e"];
    const red = new Redactor(secrets);
    const forms = secrets.flatMap(secretForms).map((f) => f.toLowerCase());
    const piece = fc.oneof(
      fc.constantFrom("…", "...", ".", " ", "x", "A"),
      fc.tuple(fc.constantFrom(...forms), fc.nat(), fc.boolean()).map(([f, n, upper]) => {
        const p = f.slice(0, 1 + (n % (f.length - 1)));
        return upper ? p.toUpperCase() : p;
      }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const out = red.text(pieces.join(""));
        for (const m of out.matchAll(/…|\.\.\./g)) {
          const before = out.slice(0, m.index).toLowerCase();
          for (const f of forms) for (let k = 6; k < f.length && k <= before.length; k++) expect(before.endsWith(f.slice(0, k)), `${JSON.stringify(out)} leaves ${f.slice(0, k)}`).toBe(false);
        }
      }),
      { seed: fcSeed(20261202), numRuns: 400 },
    );
  });

  it.each([
    ["İ, whose lower case is two characters", "Passİstanbul-9"],
    ["ᾝ, whose upper case is two characters", "Passᾝstanbul-9"],
    // Past U+FFFF: a regex without the u flag compared the halves of a cased letter (Deseret,
    // Osage, Adlam) and found the secret in none of its cases, as it is either.
    ["a Deseret capital letter (past U+FFFF)", "Pass\u{10400}stanbul-9"],
    ["an Adlam small letter (past U+FFFF)", "Pass\u{1E922}stanbul-9"],
  ])("a secret with %s: as it is, upper-cased and lower-cased", (_name, secret) => {
    const red = new Redactor([secret]);
    for (const shown of [secret, secret.toUpperCase(), secret.toLowerCase(), `cut ${secret.slice(0, 9)}…`]) {
      // Also in a text that has an İ of its own (whose lower case is longer, so the text is lowered letter by letter).
      for (const out of [red.text(`before ${shown} after`), red.text(`İ before ${shown} after`)]) {
        expect(out, shown).toContain(REDACTED_TEXT);
        expect(out.toLowerCase(), shown).not.toContain("stanbul");
      }
      const out = red.text(`before ${shown} after`);
      expect(out, shown).toContain(REDACTED_TEXT);
      expect(out.toLowerCase(), shown).not.toContain("stanbul");
    }
  });

  it("many secrets sharing their first characters: every form of each is removed, and nothing else (property)", () => {
    // Signatures, nonces and timestamps of many requests: hex and digits that often share a
    // prefix with one another, which the search goes by.
    const secret = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 4, maxLength: 70 }),
      fc.integer({ min: 1_764_800_000_000, max: 1_764_800_009_999 }).map(String),
      fc.string({ unit: "grapheme-ascii", minLength: 4, maxLength: 30 }).filter((x) => x.trim().length >= 4),
    );
    const filler = fc.string({ unit: fc.constantFrom(..." .,;xyzXYZ"), maxLength: 6 });
    fc.assert(
      fc.property(fc.uniqueArray(secret, { minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat(), filler), { maxLength: 20 }), (secrets, picks) => {
        const red = new Redactor(secrets);
        let text = "";
        for (const [i, k, gap] of picks) {
          const forms = secretForms(secrets[i % secrets.length]!);
          text += forms[k % forms.length]! + gap;
        }
        const out = red.text(text).toLowerCase();
        for (const s of secrets) for (const f of secretForms(s)) if (f.length >= 4 && !"[redacted]".includes(f.toLowerCase())) expect(out, JSON.stringify({ text, f })).not.toContain(f.toLowerCase());
        // A text made of the fillers only is left as it is.
        const plain = picks.map(([, , gap]) => gap).join("");
        expect(red.text(plain)).toBe(plain);
      }),
      { seed: fcSeed(20261204), numRuns: 300 },
    );
  });

  it("a redactor made from another removes what one made afresh removes (the other's values that are not given are not kept)", () => {
    const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 8, maxLength: 64 });
    fc.assert(
      fc.property(fc.uniqueArray(hex, { minLength: 1, maxLength: 12 }), fc.uniqueArray(hex, { maxLength: 12 }), fc.nat(), (before, now, seed) => {
        const list = [...before.slice(seed % before.length), ...now];
        const reused = new Redactor(list, new Redactor(before));
        const fresh = new Redactor(list);
        const text = [...before, ...now].map((v, i) => (i % 2 ? b64(v) : v)).join(" | ");
        expect(reused.text(text)).toBe(fresh.text(text));
        expect(reused.size).toBe(fresh.size);
      }),
      { seed: fcSeed(20261205), numRuns: 200 },
    );
  });

  it("a redactor over another (`under`) removes what one redactor of both removes: overlaps, encodings, cuts, numbers, with()", () => {
    const hex = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 6, maxLength: 40 });
    fc.assert(
      fc.property(fc.uniqueArray(hex, { minLength: 2, maxLength: 16 }), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 12 }), (secrets, split, picks) => {
        const at = 1 + (split % (secrets.length - 1));
        const [base, added] = [secrets.slice(0, at), secrets.slice(at)];
        const layered = new Redactor(added, undefined, new Redactor(base));
        const whole = new Redactor(secrets);
        // Secrets side by side, overlapping (one's tail is the next one's head), encoded, cut short.
        let text = "x ";
        for (const [i, j, k] of picks) {
          const a = secrets[i % secrets.length]!;
          const b = secrets[j % secrets.length]!;
          const form = secretForms(a)[k % secretForms(a).length]!;
          text += [`${form} `, `${a.slice(0, -3)}${b} `, `${a.slice(0, 4 + (k % (a.length - 3)))}… `, `${b64(b)}|`][k % 4];
        }
        expect(layered.text(text)).toBe(whole.text(text));
        expect(layered.with(["feedface99"]).text(`${text} feedface99`)).toBe(whole.with(["feedface99"]).text(`${text} feedface99`));
        const digits = secrets.filter((x) => /^\d+$/.test(x));
        const body = { list: [...digits.map(Number), 12], note: text };
        expect(layered.value(body)).toEqual(whole.value(body));
        expect(layered.longest).toBe(whole.longest);
      }),
      { seed: fcSeed(20261206), numRuns: 300 },
    );
  });

  it("values named like secrets in a Python dict or a Node object as printed (single quotes)", () => {
    const red = new Redactor([]);
    expect(red.text(`invalid params: {'username': 'admin', 'password': 'hunter2!', 'api_token': "it's", 'sign': 12345, 'note': 'ok'}`)).toBe(
      `invalid params: {'username': 'admin', 'password': '[redacted]', 'api_token': '[redacted]', 'sign': '[redacted]', 'note': 'ok'}`,
    );
    expect(red.text(`{ secretKey: 'abc\\'def', name: 'x', trade_password: 'p@ss' }`)).toBe(`{ secretKey: '[redacted]', name: 'x', trade_password: '[redacted]' }`);
    expect(red.text(`cut short: {'token': 'abcdef`)).toBe(`cut short: {'token': '[redacted]'`);
    // A name inside a quoted value, or a word that only ends like one, is text.
    for (const text of [`note: 'sign: here'`, `design: 'blue'`, `{'tokens_left': 3}`, `option 'secretKey': must be a string`]) expect(red.text(text)).toBe(text);
    expect(red.text(`{'signature': b'\\x00ab', 'sign': -1.5e3}`)).toBe(`{'signature': '[redacted]', 'sign': '[redacted]'}`);
  });

  it("texts built to make the redactor slow are redacted in linear time (a million cut marks, a run of scheme characters: each took minutes)", () => {
    const texts = [
      "…".repeat(1_000_000),
      ".".repeat(3_000_000),
      `${SECRET.slice(0, 8)}…`.repeat(200_000),
      `${SECRET.slice(0, 8)}-`.repeat(100_000), // one run of scheme characters, no "://"
      "a://".repeat(250_000),
      `"token":`.repeat(100_000),
      "token=".repeat(200_000),
      `"${"a".repeat(1_000_000)}`,
      "'token':".repeat(100_000),
      `'${"a".repeat(1_000_000)}`,
      `${"a".repeat(1_000_000)}: '`,
      `token: '${"\\x".repeat(500_000)}`,
    ];
    for (const text of texts) {
      const started = performance.now();
      const out = r.text(text);
      expect(performance.now() - started).toBeLessThan(5_000);
      if (text.includes("…")) expect(out).not.toContain(SECRET.slice(0, 8));
    }
  });

  it("a secret of any length (a server's ticket of 100k characters): redacted whole, as hex and cut, quickly; no regex V8 refuses or crashes on", () => {
    for (const n of [300, 5_000, 100_000]) {
      const secret = `tk${"x1Y2".repeat(n / 4)}`;
      const started = performance.now();
      const red = new Redactor([secret]);
      expect(red.text(`a ${secret} b ${secret.toUpperCase()} c`)).toBe("a [redacted] b [redacted] c");
      expect(red.text(`a ${Buffer.from(secret).toString("hex")} b`)).toBe("a [redacted] b");
      expect(red.text(`a ${secret.slice(0, 3000)}… b`)).toBe("a [redacted]… b");
      expect(red.text(`${secret.slice(0, 10)}…`.repeat(1000))).toBe("[redacted]…".repeat(1000));
      expect(performance.now() - started, `n=${n}`).toBeLessThan(3_000);
    }
  });

  it("errors with bigints in their body still serialize", () => {
    const e = new ApiError({ api: "bhex", code: 1, body: { id: 9007199254740993n, list: [1n] } });
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ body: { id: "9007199254740993", list: ["1"] } });
  });

  it("a redactor shows how many forms it holds, never one of them", () => {
    expect(inspect(r, { showHidden: true, depth: 5 })).not.toMatch(/S3cr3t|UzNjcjN0/i);
    expect(JSON.stringify(r)).not.toMatch(/S3cr3t/i);
  });

  it("redact() keeps its signature (CLI and older callers)", () => {
    expect(redact(`x ${SECRET}`, [SECRET])).toBe("x [redacted]");
    expect(new TradeApiError("m")).toBeInstanceOf(Error);
  });
});

describe("Redactor: property (fixed seed)", () => {
  it("any printable secret of 8+ characters is gone from any echo of it, in any of the forms", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40, unit: "grapheme-ascii" }).filter((s) => s.trim().length >= 8 && !/^\s|\s$/.test(s)),
        fc.string({ maxLength: 30, unit: "grapheme-ascii" }),
        fc.integer({ min: 0, max: 5 }),
        (secret, around, which) => {
          const red = new Redactor([secret]);
          const forms = [
            secret,
            encodeURIComponent(secret),
            b64(`${around}${secret}${around}`),
            JSON.stringify(secret).slice(1, -1),
            secret.toUpperCase(),
            // A message quoting a server's JSON text that echoed it: the escapes doubled.
            JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
          ];
          const out = red.text(`<${around}|${forms[which]}|${around}>`);
          if (which === 2) {
            const runs = out.match(/[A-Za-z0-9+/]{8,}/g) ?? [];
            for (const run of runs) for (let o = 0; o < 4; o++) if (Buffer.from(run.slice(o), "base64").toString("latin1").includes(secret)) return false;
            return true;
          }
          return !out.toLowerCase().includes(forms[which]!.toLowerCase());
        },
      ),
      { seed: fcSeed(20261201), numRuns: 400 },
    );
  });
});

describe("a URL's user:password@ in messages (fixed seed)", () => {
  const password = fc.string({ minLength: 6, maxLength: 24, unit: "grapheme-ascii" }).filter((s) => !/[/?#]/.test(s) && !s.includes("proxy"));
  const scheme = fc.constantFrom("http://", "https://", "wss://", "h ttp://", "http:/", "", " http://");

  it("a URL's password with an unescaped / ? or # is hidden whole; an @ in a path or query, or an IPv6 host, keeps the host shown", () => {
    expect(redactUrl("http://alice:Xk9/vQ2m@10.0.0.5:3128")).toBe("http://[redacted]@10.0.0.5:3128");
    expect(redactUrl("http://alice:pw#1@proxy:1/")).toBe("http://[redacted]@proxy:1/");
    expect(redactUrl(" http://u:pw@host/x")).toBe(" http://[redacted]@host/x");
    // (a redirect's Location: the host stays, the query's values go)
    expect(redactUrl("https://sso.example.com/login?next=alice@corp.com")).toBe("https://sso.example.com/login?next=[redacted]");
    expect(redactUrl("https://api.example.com/users/a@b.com/orders")).toBe("https://api.example.com/users/a@b.com/orders");
    expect(redactUrl("http://[::1]:8080/a@b")).toBe("http://[::1]:8080/a@b");
    expect(urlCredentials("http://[::1]:8080/a@b")).toEqual([]);
    expect(urlCredentials("http://alice:2024/Xk9@10.0.0.5:3128")).toContain("2024/Xk9");
    expect(urlShown("wss:/bob:Tr0ub4dor@gw.example")).toBe('"[redacted]@gw.example"');
    // linear in the text: 500k spaces before anything took 71 s (two regex parts both taking spaces)
    const t0 = performance.now();
    urlShown(`${" ".repeat(500_000)}x`);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("urlShown shows none of the password, whatever it holds and whatever comes before it", () => {
    fc.assert(
      fc.property(scheme, fc.constantFrom("", "ops:", "o p:"), password, (pre, user, pw) => {
        const shown = urlShown(`${pre}${user}${pw}@proxy.corp:3128/x`);
        // "http:/" has no authority: the text is not a URL's, and only the scheme-less rule (to the last @ before a /) applies.
        if (pre === "http:/") return true;
        return !shown.includes(pw) && shown.includes("proxy.corp:3128/x");
      }),
      // (found on a random seed: a token with a "\\" was shown whole)
      { seed: fcSeed(20261203), numRuns: 400, examples: [["http://", "", "\\      "], ["http://", "", "\\abcdef"], ["http://", "ops:", "\\abcdef"]] },
    );
  });
});
