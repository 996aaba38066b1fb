/** XT emulator answers: the vendor's `{code, info, data}` envelope. */
import type { MockReply } from "../http-mock.js";

export const envelope = (code: number, info: string, data?: unknown): MockReply => ({
  body: data === undefined ? { code, info } : { code, info, data },
});
