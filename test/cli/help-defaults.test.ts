/**
 * The CLI's words about its defaults follow the spec: a URL written in an environment variable's
 * or a flag's description (the help shows them) is written the same in the API's spec, so the
 * help cannot keep a default the spec has changed (Xele's said "default http://127.0.0.1:8899"
 * whatever the spec's MA port; it now says "the spec's MA server").
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readApis } from "../../scripts/api-registry.js";
import { API_TABLE } from "../../src/cli/registry.js";

describe("the CLI's defaults", () => {
  it("every URL in an environment variable's or flag's description is a server of the API's spec", () => {
    const specs = new Map(readApis().map((a) => [a.name, readFileSync(a.root, "utf8")]));
    for (const entry of API_TABLE) {
      const words = [...entry.env.map((e) => e.description), ...(entry.callFlags ?? []).map((f) => JSON.stringify(f))].join("\n");
      for (const [url] of words.matchAll(/\b(?:https?|wss?):\/\/[^\s)"',]+/g)) {
        expect(specs.get(entry.name), `${entry.name}: ${url}`).toContain(url);
      }
    }
  });
});
