import { CredentialsError } from "./errors.js";
import { CONTROL, unsendable, where } from "./validate.js";

/**
 * Return a credential or throw a CredentialsError naming the option that supplies it
 * ("missing secretKey: pass { secretKey } to the client"). The library never reads the
 * environment, so it never names a variable; the CLI says it in its own words (`credentialMessage`).
 */
export function credentialOf(api: string, option: string, value: string | undefined, operation?: string): string {
  const ctx = { api, ...(operation ? { operation } : {}) };
  if (!value) throw new CredentialsError(`missing ${option}: pass { ${option} } to the client`, ctx);
  // Keys go into headers, signed strings and query text: a stray newline (a key read from a
  // file) would be a rejected signature or a split header, so it is refused here, by name.
  if (typeof value !== "string") throw new CredentialsError(`${option} must be a string, got ${typeof value}`, ctx);
  const problem = unsendable(value, false);
  if (problem) throw new CredentialsError(`${option} holds ${problem}`, ctx);
  const control = CONTROL.exec(value);
  if (control) throw new CredentialsError(`${option} holds a control character (${where(control)}): a key read from a file keeps its line break; pass it without`, ctx);
  // A key or token with a space at an end was pasted or read with it (no vendor issues one):
  // the server would answer only "signature check failed". A password may hold any text.
  if (!/password/i.test(option) && /^\s|\s$/.test(value)) throw new CredentialsError(`${option} starts or ends with whitespace (a key pasted or read with a space around it): pass it without`, ctx);
  return value;
}

/**
 * A credential the signer put into a header that no header can carry (a key with a character
 * outside Latin-1): a CredentialsError naming its option, where the transport would say only
 * "invalid header".
 */
export function checkHeaderCredentials(api: string, operation: string, headers: Readonly<Record<string, string>>, credentials: Readonly<Record<string, string | undefined>>): void {
  for (const value of Object.values(headers)) {
    if (typeof value !== "string" || !unsendable(value, true)) continue;
    for (const [option, c] of Object.entries(credentials)) {
      const problem = c && value.includes(c) ? unsendable(c, true) : undefined;
      if (problem) throw new CredentialsError(`${option} holds ${problem}: it is sent in a header`, { api, operation });
    }
  }
}
