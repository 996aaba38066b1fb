/** Options every emulator takes the same way. */
export interface MockServerOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** One line per request (never a secret). */
  log?: (line: string) => void;
}

/** Options of an emulator that checks an access key / secret key signature. */
export interface SignedMockOptions extends MockServerOptions {
  accessKey?: string;
  secretKey?: string;
}
