import { readFileSync } from "node:fs";

/**
 * How both apps reach an MQTT broker. Credentials never ride in the URL (they would end up in logs,
 * process lists and exports): the user name is a flag, the password comes from the environment or a
 * file. `mqtts://` verifies the broker's certificate against the system CAs or the given CA file.
 */
export interface BrokerConfig {
  url: string;
  username?: string;
  password?: string;
  /** PEM text: the CA that signed the broker's certificate, and an optional client certificate. */
  ca?: string;
  cert?: string;
  key?: string;
}

export type ParsedBrokerUrl = { ok: true; url: URL; tls: boolean } | { ok: false; message: string };

export function parseBrokerUrl(input: string): ParsedBrokerUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: "not a valid URL (expected mqtt://host:1883 or mqtts://host:8883)" };
  }
  if (url.protocol !== "mqtt:" && url.protocol !== "mqtts:")
    return { ok: false, message: `the scheme must be mqtt or mqtts, not ${url.protocol.replace(":", "")}` };
  if (url.username || url.password)
    return {
      ok: false,
      message: "credentials do not belong in the URL: use the username flag and the password variable",
    };
  if (!url.hostname) return { ok: false, message: "the URL has no host" };
  if (url.search || url.hash || (url.pathname !== "" && url.pathname !== "/"))
    return { ok: false, message: "give scheme, host and port only" };
  return { ok: true, url, tls: url.protocol === "mqtts:" };
}

/** The mqtt.js connection options for a broker config: TLS material and credentials, nothing else. */
export function brokerConnectOptions(config: BrokerConfig): {
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
} {
  return {
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(config.ca ? { ca: config.ca } : {}),
    ...(config.cert ? { cert: config.cert } : {}),
    ...(config.key ? { key: config.key } : {}),
    // Never off: a broker with a private CA is trusted by giving that CA, not by trusting everyone.
    rejectUnauthorized: true,
  };
}

/** Reads an optional PEM file named by a flag, with the flag's name in the error. */
export function readPem(path: string | undefined, flag: string): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
}
