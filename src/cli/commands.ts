/**
 * The `tradeapi` commands. Each entry loads its module only when it runs, so `tradeapi
 * --help` and `tradeapi list` stay fast. Adding a command is adding one entry here (its
 * module exports `run(args, io)` and handles its own `--help`).
 */
import type { CliIo } from "./registry.js";

export interface CommandModule {
  run(args: string[], io: CliIo): Promise<number>;
}

export interface CliCommand {
  name: string;
  /** Synopsis line(s) for the top-level help and after a usage error. */
  usage: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: CliCommand[] = [
  {
    name: "list",
    usage: "tradeapi list [api]",
    summary: "the APIs, or one API's operations",
    load: () => import("./commands/list.js"),
  },
  {
    name: "call",
    usage: `tradeapi call <api> <operationId | "METHOD /path"> [name=value ...] [--json '<params>'] [--base-url URL] [--output FILE] [--decimals MODE] [--timeout MS] [--max-response-bytes N]`,
    summary: "call one operation and print its answer as JSON (`call <api> <op> --help`: its parameters)",
    load: () => import("./commands/call.js"),
  },
  {
    name: "mock",
    usage: "tradeapi mock <api> [--port N] [--json] [--lose-answers OPERATION[:N]] [flags of the api]",
    summary: "run the API's emulator on 127.0.0.1 (prints its URL, credentials and a first command)",
    load: () => import("./commands/mock.js"),
  },
  {
    name: "ws",
    usage: "tradeapi ws demo | login | place | send | help",
    summary: "the Quant gateway WebSocket step by step: login, READY, orders, notifications",
    load: () => import("./commands/ws.js"),
  },
  {
    name: "spec",
    usage: "tradeapi spec check-doc <api> <vendor-doc-file> [--json] | spec diff [api] [--base <ref>] [--json | --markdown] [--fail-on breaking]",
    summary: "compare a vendor doc with its spec; what changed in the specs since a git ref, breaking or not",
    load: async () => {
      const { runSpecCommand } = await import("./spec-command.js");
      return { run: (args, io) => runSpecCommand(args, io) };
    },
  },
];
