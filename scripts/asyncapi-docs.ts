/**
 * HTML reference of an AsyncAPI spec, for scripts/build-docs.ts.
 *
 * Renders with @asyncapi/generator and @asyncapi/html-template from node_modules (no
 * download: `install: false`, the template given by path) with `singleFile: true`, so scripts
 * and styles are inlined and the page works offline. The generator writes into a private
 * temporary folder (it would otherwise want `forceWrite` on a shared docs folder); the one
 * page is then moved to `<outDir>/<api>.html` after checking that no script or stylesheet is
 * still loaded from a remote URL.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ApiEntry } from "./api-registry.js";
import { ROOT } from "./api-registry.js";
import { parseAsyncApi } from "./generate-asyncapi.js";

interface AsyncApiGenerator {
  generateFromFile(path: string): Promise<void>;
}
type GeneratorClass = new (
  templateName: string,
  targetDir: string,
  options: { forceWrite?: boolean; install?: boolean; templateParams?: Record<string, string> },
) => AsyncApiGenerator;

/** A `<script src>` / `<link href>` (or CSS import) that would need the network. */
export function remoteResource(html: string): string | undefined {
  const hit =
    /<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /@import\s+(?:url\()?["']?(?:https?:)?\/\/[^"')\s;]*/i.exec(html);
  return hit?.[0];
}

export async function buildAsyncApiDocs(api: ApiEntry, outDir: string): Promise<string> {
  // Fail on an invalid spec with the parser's diagnostics, as `npm run generate` does.
  await parseAsyncApi(api);
  const require = createRequire(import.meta.url);
  const Generator = require("@asyncapi/generator") as GeneratorClass;
  const templateDir = dirname(require.resolve("@asyncapi/html-template/package.json"));
  const tmp = mkdtempSync(join(tmpdir(), `tradeapi-asyncapi-docs-${api.name}-`));
  const fileName = `${api.name}.html`;
  try {
    const generator = new Generator(templateDir, tmp, {
      forceWrite: true,
      install: false,
      templateParams: { singleFile: "true", outFilename: fileName },
    });
    await generator.generateFromFile(join(ROOT, api.root));
    const html = readFileSync(join(tmp, fileName), "utf8");
    const remote = remoteResource(html);
    if (remote) throw new Error(`${api.root}: the HTML page still loads a remote resource: ${remote}`);
    mkdirSync(outDir, { recursive: true });
    const target = join(outDir, fileName);
    writeFileSync(target, html);
    return target;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
