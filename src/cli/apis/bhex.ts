import { meta } from "../../../generated/bhex-org.docs.js";
import type { CliApi } from "../registry.js";
import { envAssignments } from "../registry.js";
import { decimalsOption, restCliApi, type CliRestClient } from "./rest.js";

export const bhexCli: CliApi = restCliApi({
  meta,
  async createClient(settings, flags) {
    const { createBhexOrgClient } = await import("../../handwritten/bhex/client.js");
    return createBhexOrgClient({
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      baseUrl: settings.baseUrl,
      allAsPost: flags["all-as-post"] === "true",
      // One-shot CLI calls: no client-side waiting.
      rateLimit: false,
      ...decimalsOption(flags),
    }) as unknown as CliRestClient;
  },
  async startMock({ port, log }) {
    const { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } = await import("../../mock/bhex.js");
    const mock = await startBhexMock({ port, log });
    const creds = envAssignments("bhex", { accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY });
    return {
      urls: { url: mock.url },
      hint: `credentials: ${creds}\ntry: ${envAssignments("bhex", { baseUrl: mock.url })} ${creds} npx tradeapi call bhex statisticsLockRecord user_id=217235926081077248`,
      close: () => mock.close(),
    };
  },
});
