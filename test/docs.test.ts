import { describe, expect, it } from "vitest";
import { inlineRedoc, redocBundle } from "../scripts/build-docs.js";

describe("offline docs", () => {
  const page = `<html><head><link rel="modulepreload" href="https://cdn.redocly.com/redoc/v3.0.1/bundles/redoc.standalone.js" integrity="x" crossorigin="anonymous" /></head>
<body><script type="module">import { hydrate } from "https://cdn.redocly.com/redoc/v3.0.1/bundles/redoc.standalone.js";
hydrate(state, document.getElementById("redoc"));</script></body></html>`;

  it("inlines the locally shipped redoc bundle in place of the CDN import", () => {
    const bundle = redocBundle();
    expect(bundle).toMatch(/hydrate/);
    expect(bundle).not.toMatch(/export\s*\{[^}]*\}\s*;?\s*$/);
    const out = inlineRedoc(page, bundle);
    expect(out).not.toContain("cdn.redocly.com/redoc");
    expect(out).toContain("hydrate(state");
    expect(out.length).toBeGreaterThan(1_000_000);
  });

  it("refuses a page that would still load something remote", () => {
    expect(() => inlineRedoc(`${page}<script src="https://example.com/x.js"></script>`, "const hydrate=()=>{};")).toThrow(/remote resource/);
  });
});
