/**
 * The vendor's Chinese in the English pages, marked as Chinese (WCAG 3.1.2, language of parts):
 * a screen reader then reads it with a Chinese voice instead of spelling it out in an English
 * one. A run of Chinese (ideographs, CJK and full-width punctuation, with the digits, spaces
 * and ASCII punctuation between them) becomes `<span lang="zh">…</span>`.
 *
 * - `zhMarkdown`: a markdown description (as Redoc and the AsyncAPI view render it): code
 *   (fenced blocks and spans), HTML tags and link destinations are left as they are, and so is
 *   a run next to an emphasis mark (`*`, `_`), which raw HTML beside it could end. A heading
 *   (`## …`) is left plain: Redoc cuts a heading's sidebar label at its first inline element.
 * - `zhHtml`: text already escaped for HTML, with no tags in it (the portal's index).
 *
 * A text that is not markdown where it is shown (a server's description in Redoc's endpoint
 * list, a title, a summary) cannot carry the span: build-docs marks descriptions only.
 */

const CJK = "\\u2e80-\\u2fdf\\u3000-\\u303f\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uffef";
/** A run: Chinese first and last, digits, spaces and punctuation that is not markdown's between. */
const RUN = `[${CJK}](?:[${CJK}0-9 .,:;!?()'"/+%=~#-]*[${CJK}])?`;
const HAS_CJK = new RegExp(`[${CJK}]`);
const RUN_RE = new RegExp(RUN, "g");
/** Markdown that is left whole: a code span, an HTML tag (or autolink), a link's destination; else a run (group 2). */
const MARKDOWN_RE = new RegExp(`(\`+)[\\s\\S]*?[^\`]\\1(?!\`)|<[^<>\\n]*>|\\]\\([^()\\n]*\\)|(${RUN})`, "g");

const span = (run: string) => `<span lang="zh">${run}</span>`;

export function hasChinese(text: string): boolean {
  return HAS_CJK.test(text);
}

/** HTML-escaped text (no tags) with its Chinese runs marked. */
export function zhHtml(escaped: string): string {
  return hasChinese(escaped) ? escaped.replace(RUN_RE, span) : escaped;
}

/** A markdown text with its Chinese runs marked (see the module doc). */
export function zhMarkdown(md: string): string {
  if (!hasChinese(md)) return md;
  const out: string[] = [];
  let prose: string[] = [];
  const flush = () => {
    if (prose.length) out.push(markProse(prose.join("\n")));
    prose = [];
  };
  let fence: string | null = null;
  for (const line of md.split("\n")) {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && open && !(open[0] === "`" && line.slice(line.indexOf(open) + open.length).includes("`"))) {
      flush();
      fence = open;
      out.push(line);
    } else if (fence !== null) {
      out.push(line);
      if (open && open[0] === fence[0] && open.length >= fence.length && /^ {0,3}[`~]+\s*$/.test(line)) fence = null;
    } else if (/^ {0,3}#{1,6}(?:[ \t]|$)/.test(line)) {
      // (an ATX heading stays plain: Redoc's sidebar label ends at a heading's first inline element)
      flush();
      out.push(line);
    } else if (/^(?: {4}|\t)/.test(line) && (prose.length === 0 || prose[prose.length - 1]!.trim() === "")) {
      // (an indented code block: after a blank line, not a paragraph's continuation)
      flush();
      out.push(line);
    } else prose.push(line);
  }
  flush();
  return out.join("\n");
}

function markProse(text: string): string {
  return text.replace(MARKDOWN_RE, (whole, _ticks: string | undefined, run: string | undefined, at: number) => {
    if (run === undefined) return whole;
    // (beside an emphasis mark, the span's "<" or ">" would change whether the mark opens or closes)
    const before = text[at - 1];
    const after = text[at + run.length];
    if (before === "*" || before === "_" || after === "*" || after === "_") return whole;
    return span(run);
  });
}
