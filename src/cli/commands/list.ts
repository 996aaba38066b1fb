/** `tradeapi list [api]`: the APIs, or one API's operations. Loads only what it prints. */
import { CliUsageError, parseFlags } from "../args.js";
import { API_TABLE, findApi, type CliIo } from "../registry.js";

export const LIST_USAGE = `usage: tradeapi list          every API with its operation count
       tradeapi list <api>    the API's operations: id, method, path, summary
       (\`tradeapi call <api> <operationId> --help\` lists an operation's parameters)`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { positional, flags } = parseFlags(args, []);
  if (flags.help) {
    io.stdout(`${LIST_USAGE}\n`);
    return 0;
  }
  if (positional.length > 1) throw new CliUsageError(`list takes at most one api, got ${positional.length} arguments`);
  const [name] = positional;
  if (name === undefined) {
    const loaded = await Promise.all(API_TABLE.map(async (e) => ({ name: e.name, api: await e.load() })));
    for (const { name: n, api } of loaded) io.stdout(`${n.padEnd(10)} ${api.title} (${api.operations.length} operations)\n`);
    return 0;
  }
  const api = await findApi(name).load();
  for (const o of api.operations) {
    io.stdout(`${o.operationId.padEnd(34)} ${o.method.padEnd(6)} ${o.path.padEnd(48)} ${o.summary}${o.deprecated ? " [deprecated]" : ""}\n`);
  }
  return 0;
}
