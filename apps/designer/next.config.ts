import type { NextConfig } from "next";

const config: NextConfig = {
  // The workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: ["@bms/schemas", "@bms/nodes", "@bms/security", "@bms/bacnet"],
  // A native addon: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  reactStrictMode: true,
  // Next requires `jsx: preserve`; vitest (oxc) reads tsconfig.json and needs a real JSX transform
  // for component tests. So Next gets its own tsconfig and tsconfig.json stays test- and tsc-friendly.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  poweredByHeader: false,
};

export default config;
