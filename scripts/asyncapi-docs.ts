/**
 * Offline checks for the docs pages (scripts/build-docs.ts).
 *
 * AsyncAPI specs are rendered by Redoc like the OpenAPI ones (`redocly build-docs` reads
 * AsyncAPI 3), so quant-ws gets the same sidebar, search and layout as the other APIs; this
 * file keeps the check that a page loads no script or stylesheet from the network.
 */

/** A `<script src>` / `<link href>` (or CSS import) that would need the network. */
export function remoteResource(html: string): string | undefined {
  const hit =
    /<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /<img\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^"'\s>]*/i.exec(html) ??
    /@import\s+(?:url\()?["']?(?:https?:)?\/\/[^"')\s;]*/i.exec(html) ??
    /url\(\s*["']?(?:https?:)?\/\/[^"')\s;]*/i.exec(html);
  return hit?.[0];
}
