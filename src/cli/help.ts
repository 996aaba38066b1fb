/** Help texts built from the command table, the API table and the spec metadata. */
import type { FlagSpec } from "./args.js";
import type { CliOperation, CliParam } from "./coerce.js";
import type { ApiEntry, CliApi } from "./registry.js";
import { PROXY_ENV } from "./proxy-env.js";

function typeText(p: CliParam): string {
  const s = p.schema;
  const types = ([] as string[]).concat(s.type ?? []);
  let t = types.join("|") || "any";
  if (types.includes("array") && s.items?.type) t = `array of ${([] as string[]).concat(s.items.type).join("|")}${types.includes("null") ? " | null" : ""}`;
  if (s.format) t += ` (${s.format})`;
  if (s.contentEncoding) t += ` (${s.contentEncoding})`;
  if (s.commaJoined) t += " (comma-joined)";
  return t;
}

function indent(text: string, pad: string): string {
  return text
    .trim()
    .split("\n")
    .map((l) => `${pad}${l.trim()}`)
    .join("\n");
}

/** `tradeapi call <api> <op> --help`: where each parameter goes, its type, whether required, its enum, its description. */
export function operationHelp(apiName: string, op: CliOperation): string {
  const lines = [`${apiName} ${op.operationId}${op.aliases?.length ? ` (also: ${op.aliases.join(", ")})` : ""} — ${op.method} ${op.path}${op.deprecated ? " [deprecated]" : ""}`];
  if (op.summary) lines.push(indent(op.summary, "  "));
  const required = op.params.filter((p) => p.required).map((p) => `${p.name}=…`);
  const [usage, ...more] = wrap(`tradeapi call ${apiName} ${op.operationId}${required.length ? ` ${required.join(" ")}` : ""}${op.params.length > required.length ? " [name=value ...]" : ""} [--json '{…}']`, 72);
  lines.push("", `usage: ${usage}`, ...more.map((l) => `         ${l}`));
  if (!op.params.length) {
    lines.push("", "parameters: none");
    return `${lines.join("\n")}\n`;
  }
  lines.push("", "parameters (name, where it goes, type, required):");
  for (const p of op.params) {
    lines.push(`  ${p.name.padEnd(24)} ${p.in.padEnd(6)} ${typeText(p).padEnd(20)} ${p.required ? "required" : "optional"}`);
    // An empty string (Xele's "no condition") or a value with a comma or space is quoted, so the list reads unambiguously.
    if (p.schema.enum) lines.push(`      one of: ${p.schema.enum.map((e) => (typeof e === "string" && (e === "" || /[,\s]/.test(e)) ? JSON.stringify(e) : String(e))).join(", ")}`);
    if (p.schema.default !== undefined) lines.push(`      default: ${String(p.schema.default)}`);
    if (p.description) lines.push(indent(p.description, "      "));
  }
  lines.push("", "Values are read by each parameter's type: numbers, true/false, JSON for arrays", "and objects ('[1,2]' or 1,2).");
  return `${lines.join("\n")}\n`;
}

/** Help is read in an 80-column terminal. */
const HELP_WIDTH = 80;

/** Words of `text` in lines of at most `width` characters (a longer word on a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) lines.push(line), (line = word);
    else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/**
 * Names and their descriptions in two columns: the descriptions start in one column and wrap
 * within 80 columns; a name too long for its column has its description on the lines below.
 */
export function twoColumns(rows: ReadonlyArray<readonly [string, string]>, indent: string, nameWidth: number): string[] {
  const column = indent.length + nameWidth + 1;
  const out: string[] = [];
  for (const [name, description] of rows) {
    const text = wrap(description, Math.max(20, HELP_WIDTH - column));
    const pad = " ".repeat(column);
    if (name.length > nameWidth) out.push(`${indent}${name}`, ...text.map((l) => `${pad}${l}`));
    else out.push(`${indent}${name.padEnd(nameWidth)} ${text[0] ?? ""}`.trimEnd(), ...text.slice(1).map((l) => `${pad}${l}`));
  }
  return out;
}

export function flagLines(flags: readonly FlagSpec[]): string[] {
  return twoColumns(flags.map((f) => [`--${f.name}${f.type === "string" ? ` <${f.valueName ?? "value"}>` : ""}`, f.description] as const), "  ", 27);
}

export function envLines(entry: ApiEntry): string[] {
  return twoColumns(entry.env.map((v) => [v.name, `${v.description}${v.secret ? " (secret: never printed)" : ""}`] as const), "  ", 22);
}

/** `tradeapi call <api> --help`: the operations, flags (`common`: those of every API's call, then the API's own) and environment of one API. */
export function apiHelp(entry: ApiEntry, api: CliApi, common: readonly FlagSpec[] = []): string {
  const lines = [`${entry.name}: ${api.title}`, "", `usage: tradeapi call ${entry.name} <operationId> [name=value ...]`, `       (\`tradeapi call ${entry.name} <operationId> --help\`: its parameters)`];
  // --base-url only where a setting takes it (xele's two servers have flags of their own).
  const takesBaseUrl = entry.env.some((v) => v.setting === "baseUrl");
  const flags = [...common.filter((f) => f.name !== "base-url" || takesBaseUrl), ...(entry.callFlags ?? [])];
  if (flags.length) lines.push("", "flags:", ...flagLines(flags));
  lines.push("", "environment:", ...envLines(entry));
  if (api.defaults?.baseUrl) lines.push(`  (default base URL: ${api.defaults.baseUrl})`);
  lines.push(`  ${PROXY_ENV.map((v) => v.name).join(", ")}: the proxy, as curl reads them`, "  (`tradeapi --help`)");
  lines.push("", `operations (${api.operations.length}):`);
  const width = Math.max(...api.operations.map((o) => o.operationId.length));
  lines.push(...twoColumns(api.operations.map((o) => [o.operationId, o.summary.split("\n")[0]!] as const), "  ", width));
  return `${lines.join("\n")}\n`;
}
