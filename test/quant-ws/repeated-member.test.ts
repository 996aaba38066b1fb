/**
 * repeatedMember's proof (members counted against the `:` that may end a name) against texts
 * built with a known answer: random objects and lists, names escaped or not, whitespace around
 * the `:`, and strings full of `:`, quotes and backslashes, some names given twice at some depth.
 */
import { describe, expect, it } from "vitest";
import { repeatedMember } from "../../src/handwritten/quant-ws/repeated-member.js";

function randomTexts(count: number, seed: number): Array<{ text: string; repeated: boolean }> {
  let s = seed;
  const random = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  const strings = ["a", ":", '":', "a:b", " :", "\\", '\\":', "x\\\\", "é:", "result", "", '":"'];
  const names = ["a", "b", "result", "a:b", ":", '"', "\\", "ré"];
  const space = () => pick(["", " ", "\n "]);
  const gen = (depth: number): { text: string; repeated: boolean } => {
    const r = random();
    if (depth > 4 || r < 0.3) return { text: pick([JSON.stringify(pick(strings)), "12", "true", "null"]), repeated: false };
    const parts: string[] = [];
    let repeated = false;
    if (r < 0.55) {
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        const g = gen(depth + 1);
        repeated ||= g.repeated;
        parts.push(g.text);
      }
      return { text: `[${space()}${parts.join(`${space()},${space()}`)}${space()}]`, repeated };
    }
    const used = new Set<string>();
    for (let i = Math.floor(random() * 5); i > 0; i--) {
      const name = pick(names);
      if (used.has(name)) repeated = true;
      used.add(name);
      const g = gen(depth + 1);
      repeated ||= g.repeated;
      const key = random() < 0.2 ? `"${[...name].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"` : JSON.stringify(name);
      parts.push(`${key}${space()}:${space()}${g.text}`);
    }
    return { text: `{${space()}${parts.join(`${space()},${space()}`)}${space()}}`, repeated };
  };
  const out: Array<{ text: string; repeated: boolean }> = [];
  while (out.length < count) {
    const g = gen(0);
    if (g.text.startsWith("{")) out.push(g);
  }
  return out;
}

describe("quant-ws: a member given twice at any depth", () => {
  it("is found exactly when the text gives one (random texts with `:` in strings, escaped names, whitespace)", () => {
    const texts = randomTexts(5_000, 20_240_601);
    expect(texts.filter((t) => t.repeated).length).toBeGreaterThan(1_000);
    const wrong = texts.filter(({ text, repeated }) => (repeatedMember(text, JSON.parse(text) as object) !== undefined) !== repeated);
    expect(wrong).toEqual([]);
  });

  it("names the member's path, its name decoded", () => {
    const found = (text: string) => repeatedMember(text, JSON.parse(text) as object);
    expect(found('{"a":[1,{"b":{}},{"c":1,"\\u0063":2}]}')).toEqual({ name: "c", path: "a[2].c" });
    expect(found('{"x y":{"k":1,"k":2}}')).toEqual({ name: "k", path: '["x y"].k' });
    expect(found('{"cid":"1","cid":"2"}')).toEqual({ name: "cid", path: "cid" });
  });
});
