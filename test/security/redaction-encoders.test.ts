/**
 * The redactor against the encoders a server's own code would echo a secret with: Python's
 * urllib.parse (quote, quote_plus, urlencode), html.escape (also as ASCII with character
 * references), json.dumps (ASCII and UTF-8), repr, base64 and hex, run by python3 on random
 * secrets of printable ASCII and letters past it. Every encoding of every secret, in a text, must come out as [redacted].
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/handwritten/core/redaction.js";

const PYTHON = `
import json, sys, urllib.parse, html, base64
out = []
for s in json.load(sys.stdin):
    out.append({
        "quote": urllib.parse.quote(s),
        "quote safe=''": urllib.parse.quote(s, safe=""),
        "quote_plus": urllib.parse.quote_plus(s),
        "quote_plus safe='/'": urllib.parse.quote_plus(s, safe="/"),
        "urlencode": urllib.parse.urlencode({"p": s})[2:],
        "html.escape": html.escape(s),
        "html.escape quote=False": html.escape(s, quote=False),
        "html.escape, ASCII (xmlcharrefreplace)": html.escape(s).encode("ascii", "xmlcharrefreplace").decode(),
        "json.dumps": json.dumps(s)[1:-1],
        "json.dumps ensure_ascii=False": json.dumps(s, ensure_ascii=False)[1:-1],
        "json.dumps twice": json.dumps(json.dumps(s))[3:-3],
        "repr": repr(s)[1:-1],
        "base64": base64.b64encode(s.encode()).decode(),
        "urlsafe_b64encode": base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
        "hex": s.encode().hex(),
        "UTF-16LE hex (.NET's Encoding.Unicode)": s.encode("utf-16-le").hex(),
        "UTF-16LE base64": base64.b64encode(s.encode("utf-16-le")).decode(),
        "upper": s.upper(),
    })
json.dump(out, sys.stdout)
`;
import { fcSeed } from "../helpers/fc-seed.js";

const hasPython = (() => {
  try {
    execFileSync("python3", ["-c", "pass"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("the redactor against Python's encoders", () => {
  it.runIf(hasPython)("removes every encoding of random secrets (ASCII, accents, CJK, İ, ß, emoji)", () => {
    const unit = fc.oneof(fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c)), fc.constantFrom("é", "ü", "ß", "中", "文", "İ", "ı", "ſ", "Å", "€", "😀"));
    const secrets = fc.sample(fc.string({ unit, minLength: 4, maxLength: 24 }), { numRuns: 600, seed: fcSeed(20261204) });
    const encoded = JSON.parse(execFileSync("python3", ["-c", PYTHON], { input: JSON.stringify(secrets), encoding: "utf8", maxBuffer: 256 << 20 })) as Array<Record<string, string>>;
    const missed: string[] = [];
    secrets.forEach((secret, i) => {
      const red = new Redactor([secret]);
      for (const [how, shown] of Object.entries(encoded[i]!)) {
        if (red.text(`<< ${shown} >>`) !== "<< [redacted] >>") missed.push(`${how}: ${JSON.stringify(secret)} as ${JSON.stringify(shown)}`);
      }
    });
    expect(missed.slice(0, 10)).toEqual([]);
  });
});

describe("a secret inside a longer UTF-16LE text, as base64 (a .NET server echoing the request)", () => {
  it("no piece of the text left around [redacted] decodes to the secret, at any alignment", () => {
    const unit = fc.oneof(fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)), fc.constantFrom("é", "中", "😀"));
    fc.assert(
      fc.property(fc.string({ unit, minLength: 8, maxLength: 24 }), fc.string({ maxLength: 7 }), (secret, lead) => {
        const red = new Redactor([secret]);
        const shown = Buffer.from(`${lead}accesskey=${secret}&nonce=1`, "utf16le").toString("base64");
        const out = red.text(shown);
        expect(out).toContain("[redacted]");
        for (const piece of out.split("[redacted]")) {
          for (let k = 0; k < 4; k++) expect(Buffer.from(piece.slice(k), "base64").toString("utf16le")).not.toContain(secret);
        }
      }),
      { numRuns: 300, seed: fcSeed(20261207) },
    );
  });
});
