import fc from "fast-check";

/**
 * Hostile HTTP request bodies for an API's mutating routes: wrong types, deep nesting, huge strings and
 * arrays, prototype keys, broken JSON, the wrong content type, and bodies over the size limit. Shared by
 * the supervisor's and the fleet service's API fuzz tests.
 */
export interface HostileBody {
  kind: string;
  contentType: string | undefined;
  body: string | Buffer;
}

/** Nesting deep enough to overflow a recursive walk (JSON.stringify gives up near 10,000 levels here). */
function nested(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Field names our request schemas use, so a hostile value lands where a handler looks. */
const FIELDS = [
  "points",
  "point",
  "value",
  "priority",
  "configuration",
  "nodes",
  "config",
  "timeout_ms",
  "name",
  "role",
  "version",
  "values",
  "enabled",
  "until",
  "reason",
  "username",
  "password",
  "bundle",
];

export const hostileValue: fc.Arbitrary<{ kind: string; json: string }> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: "random-json", json: JSON.stringify(v) ?? "null" })),
  fc
    .integer({ min: 1_000, max: 100_000 })
    .map((d) => ({ kind: `array-depth-${d}`, json: nested(d, "[", "]", "1") })),
  fc
    .integer({ min: 1_000, max: 50_000 })
    .map((d) => ({ kind: `object-depth-${d}`, json: nested(d, '{"a":', "}", "1") })),
  fc
    .integer({ min: 100_000, max: 4_000_000 })
    .map((n) => ({ kind: `string-${n}`, json: JSON.stringify("x".repeat(n)) })),
  fc
    .integer({ min: 10_000, max: 500_000 })
    .map((n) => ({ kind: `array-${n}`, json: `[${new Array(n).fill("0").join(",")}]` })),
  fc.constantFrom(
    {
      kind: "proto",
      json: '{"__proto__":{"role":"admin","isAdmin":true},"constructor":{"prototype":{"x":1}}}',
    },
    { kind: "numbers", json: "[1e999,-1e999,1e-400,9007199254740993,-0]" },
    { kind: "unicode", json: '"\\ud800\\udc00\\ud800\\u0000\\uffff"' },
  ),
);

/** Over the body limit (10 MiB on the supervisor): rarer, as each costs a large send. */
const overLimit: fc.Arbitrary<HostileBody> = fc.constant({
  kind: "over-limit",
  contentType: "application/json",
  body: `"${"y".repeat(11 * 1024 * 1024)}"`,
});

const wholeBody: fc.Arbitrary<HostileBody> = fc.oneof(
  // A plausible object with one field (or the whole body) hostile.
  fc.tuple(fc.constantFrom(...FIELDS), hostileValue, fc.boolean()).map(([field, v, wrap]) => ({
    kind: wrap ? `${field}=${v.kind}` : v.kind,
    contentType: "application/json",
    body: wrap ? `{"${field}":${v.json}}` : v.json,
  })),
  // JSON cut short, or not JSON at all.
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(1_000)).map(([v, n]) => {
    const text = JSON.stringify({ points: [v] });
    return { kind: "truncated-json", contentType: "application/json", body: text.slice(0, n % text.length) };
  }),
  fc
    .uint8Array({ maxLength: 2_000 })
    .map((b) => ({ kind: "random-bytes", contentType: "application/json", body: Buffer.from(b) })),
  // The wrong content type, or none, with a good-looking JSON body.
  fc
    .constantFrom(
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      undefined,
    )
    .map((contentType) => ({
      kind: `content-type ${contentType}`,
      contentType,
      body: '{"points":["bacnet:1/analogInput:1"]}',
    })),
);

export function hostileBody(): fc.Arbitrary<HostileBody> {
  return fc.oneof({ weight: 12, arbitrary: wholeBody }, { weight: 1, arbitrary: overLimit });
}

/** The answer must be a client error or a success; a 5xx, or a stack trace in the body, is a defect. */
export function isCleanAnswer(status: number, text: string): boolean {
  return status < 500 && !/\n\s+at \S+ \(|node:internal|\.ts:\d+:\d+/.test(text);
}
