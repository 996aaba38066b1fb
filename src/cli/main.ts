/**
 * The `tradeapi` command.
 *
 *   tradeapi list [api]
 *   tradeapi call <api> <operationId | "METHOD /path"> [name=value ...] [--json '<body>'] [--base-url URL]
 *   tradeapi mock <api> [--port N]
 *   tradeapi <api-specific command> ...     (e.g. `tradeapi ws` for the Quant gateway)
 *
 * Exit codes: 0 success; 1 API or transport error (one line on stderr naming api, operation,
 * code and message; never a secret); 2 usage error (unknown API/operation, missing parameter
 * or credential), with a hint.
 */
import { writeFileSync } from "node:fs";
import { TradeApiError, UsageError, redact } from "../handwritten/core/errors.js";
import { parseJson, stringifyJson } from "../handwritten/core/json.js";
import { findOperation } from "../handwritten/core/meta.js";
import { apis } from "./apis/index.js";
import type { CliApi, CliCallFlags } from "./registry.js";
import { parseArgs } from "./args.js";
import { runSpecCommand } from "./spec-command.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Raw bytes to stdout (binary answers without --output). */
  stdoutBytes?: (bytes: Uint8Array) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user wants a long-running command (mock) to stop. */
  untilStopped?: () => Promise<void>;
}

const USAGE = `usage:
  tradeapi list [api]
  tradeapi call <api> <operationId | "METHOD /path"> [name=value ...] [--json '<body>'] [--base-url URL] [--output FILE]
  tradeapi mock <api> [--port N]
  tradeapi spec check-doc <api> <vendor-doc-file> | spec diff [api] [--base <ref>]   (tradeapi spec --help)
apis: ${apis.map((a) => a.name).join(", ")}`;

class CliUsage extends UsageError {}

function findApi(name: string | undefined): CliApi {
  const api = apis.find((a) => a.name === name);
  if (!api) throw new CliUsage(`unknown api ${JSON.stringify(name ?? "")}; known: ${apis.map((a) => a.name).join(", ")}`);
  return api;
}

function operationsOf(api: CliApi) {
  if (api.meta) {
    return api.meta.operations.map((o) => ({ operationId: o.operationId, method: o.method, path: o.path, summary: o.summary, deprecated: o.deprecated }));
  }
  return api.operations?.() ?? [];
}

function list(io: CliIo, apiName?: string): number {
  if (!apiName) {
    for (const a of apis) io.stdout(`${a.name.padEnd(10)} ${a.title} (${operationsOf(a).length} operations)\n`);
    return 0;
  }
  const api = findApi(apiName);
  for (const o of operationsOf(api)) {
    io.stdout(`${o.operationId.padEnd(34)} ${o.method.padEnd(6)} ${o.path.padEnd(48)} ${o.summary}${o.deprecated ? " [deprecated]" : ""}\n`);
  }
  return 0;
}

/** `name=value` pairs → params; JSON-looking values of array/object/base64 params are parsed. */
function parseParams(api: CliApi, operation: string, pairs: string[], jsonFlag: string | undefined): Record<string, unknown> {
  const op = api.meta ? findOperation(api.meta, operation) : undefined;
  const schemaOf = (name: string) => op?.params.find((p) => p.name === name)?.schema ?? op?.body?.properties[name];
  const params: Record<string, unknown> = {};
  if (jsonFlag !== undefined) {
    let body: unknown;
    try {
      body = parseJson(jsonFlag);
    } catch (e) {
      throw new CliUsage(`--json is not valid JSON: ${(e as Error).message}`);
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new CliUsage("--json must be a JSON object of parameters");
    Object.assign(params, body);
  }
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliUsage(`expected name=value, got ${JSON.stringify(pair)}`);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const schema = schemaOf(name);
    const types = ([] as string[]).concat(schema?.type ?? []);
    const structured = schema?.contentEncoding === "base64" || types.includes("array") || types.includes("object") || schema?.["x-comma-joined"];
    if (structured && /^\s*[[{]/.test(raw)) {
      try {
        params[name] = parseJson(raw);
        continue;
      } catch {
        throw new CliUsage(`parameter ${name} looks like JSON but does not parse`);
      }
    }
    params[name] = raw;
  }
  return params;
}

async function call(io: CliIo, positional: string[], flags: Record<string, string>): Promise<number> {
  const [apiName, operation, ...pairs] = positional;
  const api = findApi(apiName);
  if (!operation) throw new CliUsage(`missing operation; run \`tradeapi list ${api.name}\``);
  if (!api.createCaller) throw new CliUsage(`${api.name} has no \`call\` support; see \`tradeapi --help\``);
  if (api.meta && !findOperation(api.meta, operation)) {
    throw new CliUsage(`unknown operation ${JSON.stringify(operation)} for ${api.name}; run \`tradeapi list ${api.name}\``);
  }
  const params = parseParams(api, operation, pairs, flags.json);
  const callFlags: CliCallFlags = {};
  for (const [k, v] of Object.entries(flags)) if (k !== "json" && k !== "output") callFlags[k === "base-url" ? "baseUrl" : k] = v;
  const caller = api.createCaller(io.env, callFlags);
  try {
    const data = await caller.call(operation, params);
    if (data instanceof Uint8Array) {
      if (flags.output) {
        writeFileSync(flags.output, data);
        io.stdout(`${stringifyJson({ savedTo: flags.output, bytes: data.byteLength })}\n`);
      } else if (io.stdoutBytes) io.stdoutBytes(data);
      else io.stdout(Buffer.from(data).toString("base64"));
      return 0;
    }
    io.stdout(`${data === undefined ? "null" : stringifyJson(data, 2)}\n`);
    return 0;
  } finally {
    await caller.close?.();
  }
}

async function mock(io: CliIo, positional: string[], flags: Record<string, string>, rest: string[]): Promise<number> {
  const api = findApi(positional[0]);
  if (!api.startMock) throw new CliUsage(`${api.name} has no emulator`);
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsage(`--port must be 0-65535, got ${flags.port}`);
  const running = await api.startMock({ port, args: rest });
  for (const [k, v] of Object.entries(running.urls)) io.stdout(`${api.name} emulator ${k === "url" ? "" : `${k} `}listening on ${v}\n`);
  if (api.mockHint) io.stdout(`${api.mockHint(running)}\n`);
  await (io.untilStopped?.() ?? new Promise<void>(() => undefined));
  await running.close();
  return 0;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (!command || command === "help" || command === "--help" || command === "-h") {
      io.stdout(`${USAGE}\n`);
      return command ? 0 : 2;
    }
    if (command === "spec") return await runSpecCommand(args, io);
    const { positional, flags } = parseArgs(args);
    if (command === "list") return list(io, positional[0]);
    if (command === "call") return await call(io, positional, flags);
    if (command === "mock") return await mock(io, positional, flags, args.slice(1));
    for (const api of apis) {
      const sub = api.commands?.[command];
      if (sub) return await sub.run(args, io);
    }
    throw new CliUsage(`unknown command ${JSON.stringify(command)}`);
  } catch (e) {
    const secrets = apis.flatMap((a) => a.env.filter((v) => v.secret).map((v) => io.env[v.name]));
    if (e instanceof UsageError) {
      io.stderr(`tradeapi: ${redact(e.message, secrets)}\n${e instanceof CliUsage ? `${USAGE}\n` : ""}`);
      return 2;
    }
    if (e instanceof TradeApiError) {
      io.stderr(`tradeapi: error: ${redact(e.message, secrets)}\n`);
      return 1;
    }
    io.stderr(`tradeapi: unexpected error: ${redact(e instanceof Error ? e.message : String(e), secrets)}\n`);
    return 1;
  }
}

/** Process entry: real stdio, stops long-running commands on SIGINT/SIGTERM. */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdoutBytes: (b) => process.stdout.write(b),
    env: process.env,
    untilStopped: () =>
      new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      }),
  });
  process.exitCode = code;
}
