import { meta } from "../../../generated/bhex-org.meta.js";
import { createBhexOrgClient } from "../../handwritten/bhex/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../mock/bhex.js";
import type { CliApi } from "../registry.js";

export const bhexCli: CliApi = {
  name: "bhex",
  title: meta.title,
  meta,
  env: [
    { name: "BHEX_ACCESS_KEY", description: "org access key (sent as X-ACCESS-KEY)" },
    { name: "BHEX_SECRET_KEY", description: "secret key used to sign", secret: true },
    { name: "BHEX_BASE_URL", description: `the broker's Org API host (default ${meta.servers[0]?.url})` },
  ],
  flags: [{ name: "all-as-post", description: "send every call as a form POST, as the vendor demos do" }],
  createCaller(env, flags) {
    const client = createBhexOrgClient({
      accessKey: env.BHEX_ACCESS_KEY,
      secretKey: env.BHEX_SECRET_KEY,
      baseUrl: flags.baseUrl ?? env.BHEX_BASE_URL,
      allAsPost: flags["all-as-post"] === "true",
      // One-shot CLI calls: no client-side waiting.
      rateLimit: false,
    });
    return { call: (op, params) => client.call(op as never, params as never) };
  },
  async startMock({ port, host }) {
    const mock = await startBhexMock({ port, host, log: (l) => process.stderr.write(`${l}\n`) });
    return { urls: { url: mock.url }, close: () => mock.close() };
  },
  mockHint: (m) =>
    `credentials: BHEX_ACCESS_KEY=${BHEX_MOCK_ACCESS_KEY} BHEX_SECRET_KEY=${BHEX_MOCK_SECRET_KEY}\n` +
    `try: BHEX_BASE_URL=${m.urls.url} BHEX_ACCESS_KEY=${BHEX_MOCK_ACCESS_KEY} BHEX_SECRET_KEY=${BHEX_MOCK_SECRET_KEY} tradeapi call bhex statisticsLockRecord user_id=217235926081077248`,
};
