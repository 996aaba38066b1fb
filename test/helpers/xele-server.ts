/**
 * A local server standing for both Xele servers (MA and MS): `/login` answers a ticket, every
 * other request goes to `answer`. Each test file calls `closeXeleServers` after each test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

let closers: Array<() => Promise<void>> = [];

export async function xeleServer(ticket: string, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url!.startsWith("/login")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 0, msg: "ok", ticket }));
      } else answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Close every server `xeleServer` started (call it in afterEach). */
export async function closeXeleServers(): Promise<void> {
  const now = closers;
  closers = [];
  await Promise.all(now.map((c) => c()));
}
