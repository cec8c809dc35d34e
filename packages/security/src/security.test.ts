import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkHost,
  checkStateChange,
  defaultAllowedHosts,
  endpoint,
  hashPassword,
  hashToken,
  isLocalOnlyAddress,
  loadOrCreateBootstrapToken,
  loadOrCreateSelfSigned,
  parseFingerprint,
  parseServiceUrl,
  redactText,
  SecretBoxError,
  sameSecret,
  secretBox,
  verifyPassword,
} from "./index";

const policy = { allowedHosts: defaultAllowedHosts(3000), allowedOrigins: [] };

describe("host allowlist", () => {
  it.each([
    ["localhost:3000", true],
    ["127.0.0.1:3000", true],
    ["LOCALHOST:3000", true],
    ["evil.example:3000", false],
    ["127.0.0.1.nip.io:3000", false],
    [undefined, false],
  ])("Host %s → %s", (host, ok) => {
    expect(checkHost(host === undefined ? {} : { host }, policy).ok).toBe(ok);
  });
});

describe("state-changing requests", () => {
  const base = { method: "POST", scheme: "http" as const, cookieAuthenticated: false };
  const json = { "content-type": "application/json", "content-length": "2" };
  it.each([
    [
      "a GET is always fine",
      { ...base, method: "GET", headers: { origin: "http://evil.example" } },
      true,
      undefined,
    ],
    ["curl with a bearer token and no Origin", { ...base, headers: json }, true, undefined],
    ["our own page", { ...base, headers: { ...json, origin: "http://localhost:3000" } }, true, undefined],
    [
      "another origin",
      { ...base, headers: { ...json, origin: "http://evil.example" } },
      false,
      "cross_origin",
    ],
    [
      "Sec-Fetch-Site cross-site",
      { ...base, headers: { ...json, "sec-fetch-site": "cross-site" } },
      false,
      "cross_site",
    ],
    [
      "a no-cors text/plain POST",
      { ...base, headers: { "content-type": "text/plain", "content-length": "5" } },
      false,
      "content_type",
    ],
    [
      "a form POST without fields",
      { ...base, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "0" } },
      false,
      "content_type",
    ],
    ["a body without a type", { ...base, headers: { "content-length": "5" } }, false, "content_type"],
    [
      "raw bytes (an update bundle) with a bearer token",
      { ...base, headers: { "content-type": "application/octet-stream", "content-length": "5" } },
      true,
      undefined,
    ],
    [
      "a multipart form POST",
      { ...base, headers: { "content-type": "multipart/form-data; boundary=x", "content-length": "5" } },
      false,
      "content_type",
    ],
    [
      "cookie without Origin",
      { ...base, cookieAuthenticated: true, csrfValid: true, headers: json },
      false,
      "cross_origin",
    ],
    [
      "cookie without CSRF token",
      { ...base, cookieAuthenticated: true, headers: { ...json, origin: "http://localhost:3000" } },
      false,
      "csrf_missing",
    ],
    [
      "cookie with a wrong CSRF token",
      {
        ...base,
        cookieAuthenticated: true,
        csrfValid: false,
        headers: { ...json, origin: "http://localhost:3000" },
      },
      false,
      "csrf_invalid",
    ],
    [
      "cookie with Origin and CSRF",
      {
        ...base,
        cookieAuthenticated: true,
        csrfValid: true,
        headers: { ...json, origin: "http://localhost:3000" },
      },
      true,
      undefined,
    ],
  ])("%s", (_name, request, ok, code) => {
    const verdict = checkStateChange(request, policy);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.code).toBe(code);
  });
});

describe("secrets", () => {
  it("hashes and verifies passwords with scrypt; a wrong password fails", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored.startsWith("scrypt$32768$8$1$")).toBe(true);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
  it("token digests are stable and compare in constant time", () => {
    expect(hashToken("abc")).toBe(hashToken("abc"));
    expect(hashToken("abc")).not.toBe(hashToken("abd"));
    expect(sameSecret("abc", "abc")).toBe(true);
    expect(sameSecret("abc", "abcd")).toBe(false);
  });
  it("redacts tokens from free text", () => {
    expect(redactText("GET /x?token=s3cret&a=1 Authorization: Bearer abc.def")).toBe(
      "GET /x?token=[redacted]&a=1 Authorization: Bearer [redacted]",
    );
  });
});

describe("outbound URLs", () => {
  it.each([
    ["http://10.0.0.5:8080", true],
    ["https://sup.example:8443/", true],
    ["http://10.0.0.5:8080?", false],
    ["http://10.0.0.5:8080/#", false],
    ["http://user:pw@10.0.0.5:8080", false],
    ["http://10.0.0.5:8080/api/evil", false],
    ["file:///etc/passwd", false],
    ["not a url", false],
  ])("%s → %s", (input, ok) => {
    expect(parseServiceUrl(input).ok).toBe(ok);
  });
  it("appends the path with the URL API, below the base", () => {
    expect(endpoint("http://10.0.0.5:8080", "/api/health").href).toBe("http://10.0.0.5:8080/api/health");
    expect(endpoint("http://10.0.0.5:8080", "/api/points/a?b#c").href).toBe(
      "http://10.0.0.5:8080/api/points/a%3Fb%23c",
    );
    expect(() => endpoint("http://10.0.0.5:8080", "/api/../x")).toThrow();
    // Segments as given: a `/` inside one stays inside it (encoded), and cannot climb out either.
    expect(
      endpoint("http://10.0.0.5:8080", ["api", "execution", "latches", "pumps/failed1", "reset"]).href,
    ).toBe("http://10.0.0.5:8080/api/execution/latches/pumps%2Ffailed1/reset");
    expect(() => endpoint("http://10.0.0.5:8080", ["api", "latches", "../x"])).toThrow();
    expect(() => endpoint("http://10.0.0.5:8080", ["api", ".."])).toThrow();
  });
  it.each([
    ["127.0.0.1", true],
    ["169.254.169.254", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["fe80::1", true],
    ["0.0.0.0", true],
    ["10.0.0.5", false],
    ["192.168.1.20", false],
  ])("%s local-only → %s", (ip, local) => {
    expect(isLocalOnlyAddress(ip)).toBe(local);
  });
});

describe("self-signed TLS", () => {
  it("creates a certificate once, key 0600, same fingerprint on the next start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-tls-"));
    const first = await loadOrCreateSelfSigned(dir, ["127.0.0.1"]);
    expect(first.created).toBe(true);
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(statSync(join(dir, "tls", "key.pem")).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateSelfSigned(dir, ["127.0.0.1"]);
    expect(second.created).toBe(false);
    expect(second.fingerprint256).toBe(first.fingerprint256);
  }, 30_000);
});

describe("secret box (secrets kept for reuse, sealed at rest)", () => {
  const keyFileIn = () => join(mkdtempSync(join(tmpdir(), "bms-box-")), "projects.key");

  it("creates a 32-byte key 0600 on first use only, and seals with AES-256-GCM bound to its context", () => {
    const keyFile = keyFileIn();
    const box = secretBox(keyFile);
    expect(() => statSync(keyFile)).toThrow(); // nothing until the first seal
    const sealed = box.seal("tok-ABC", "row-1");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile)).toHaveLength(32);
    expect(box.isSealed(sealed)).toBe(true);
    expect(box.isSealed("tok-ABC")).toBe(false);
    expect(sealed).not.toContain("tok-ABC");
    expect(box.seal("tok-ABC", "row-1")).not.toBe(sealed); // a fresh IV every time
    expect(secretBox(keyFile).open(sealed, "row-1")).toBe("tok-ABC"); // the key persists
  });

  it.each([
    ["another row", (s: string) => s, "row-2", "sealed_unopenable"],
    [
      "an altered ciphertext",
      (s: string) => `${s.slice(0, -2)}${s.endsWith("A") ? "B" : "A"}A`,
      "row-1",
      "sealed_unopenable",
    ],
    ["a value that is not sealed", () => "plain", "row-1", "sealed_malformed"],
  ])("refuses %s with a coded error", (_name, change, context, code) => {
    const box = secretBox(keyFileIn());
    const sealed = change(box.seal("tok-ABC", "row-1"));
    expect(() => box.open(sealed, context)).toThrow(SecretBoxError);
    try {
      box.open(sealed, context);
    } catch (error) {
      expect((error as SecretBoxError).code).toBe(code);
    }
  });

  it("does not open under another key, tightens a loose key file and refuses a short one", () => {
    const sealed = secretBox(keyFileIn()).seal("tok", "row");
    expect(() => secretBox(keyFileIn()).open(sealed, "row")).toThrow(/cannot be decrypted/);
    const loose = keyFileIn();
    secretBox(loose).seal("x", "y");
    chmodSync(loose, 0o644);
    secretBox(loose).seal("x", "y");
    expect(statSync(loose).mode & 0o777).toBe(0o600);
    const short = keyFileIn();
    writeFileSync(short, "too short", { mode: 0o600 });
    expect(() => secretBox(short).seal("x", "y")).toThrow(/not a 32-byte key/);
  });
});

describe("certificate fingerprints", () => {
  const canonical = `AB:${"0F:".repeat(30)}C1`;
  it.each([
    [canonical, canonical],
    [canonical.toLowerCase(), canonical],
    [canonical.replace(/:/g, ""), canonical],
    [`SHA256 Fingerprint=${canonical}`, canonical],
    [` ${canonical.replace(/:/g, " ")} `, canonical],
  ])("%s → canonical", (input, expected) => {
    expect(parseFingerprint(input)).toEqual({ ok: true, fingerprint: expected });
  });
  it.each([["AB:CD"], [`ZZ:${"0F:".repeat(30)}C1`], [""]])("refuses %s", (input) => {
    expect(parseFingerprint(input).ok).toBe(false);
  });
});

describe("bootstrap admin token", () => {
  it("takes a given token, refuses a short one, else makes one once into a 0600 file and reads it back", () => {
    const dir = mkdtempSync(join(tmpdir(), "bms-bootstrap-"));
    const file = join(dir, "nested", "admin-token");
    expect(loadOrCreateBootstrapToken(file, "a-given-token-0123", "BMS_X_TOKEN")).toEqual({
      token: "a-given-token-0123",
      created: false,
    });
    expect(() => loadOrCreateBootstrapToken(file, "short", "BMS_X_TOKEN")).toThrow(
      "BMS_X_TOKEN must be at least 16 characters",
    );
    const made = loadOrCreateBootstrapToken(file, undefined, "BMS_X_TOKEN");
    expect(made.created).toBe(true);
    expect(made.token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(`${made.token}\n`);
    chmodSync(file, 0o644);
    expect(loadOrCreateBootstrapToken(file, undefined, "BMS_X_TOKEN")).toEqual({
      token: made.token,
      created: false,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
