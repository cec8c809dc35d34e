import type { NextConfig } from "next";

const config: NextConfig = {
  // The workspace packages ship TypeScript source; Next compiles them with the app.
  transpilePackages: ["@bms/schemas", "@bms/nodes"],
  // A native addon: loaded by Node at run time, never bundled.
  serverExternalPackages: ["better-sqlite3"],
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
