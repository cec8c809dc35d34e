import type { PluginContext, PointIOPluginModule } from "../point-io";
import { HttpConfigSchema } from "./http-config";
import { HttpPointIO } from "./http-plugin";

/**
 * The HTTP plugin (service/API pattern): JSON endpoints polled on a schedule, a JSON path per point,
 * optional writes by POST or PUT. Configured by the `http` section of the plugins file.
 */
export function createHttpPointIO(context: PluginContext, env: NodeJS.ProcessEnv = process.env): HttpPointIO {
  const parsed = HttpConfigSchema.safeParse(context.config ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `http.${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`invalid HTTP plugin configuration: ${problems.join("; ")}`);
  }
  return new HttpPointIO(parsed.data, context, env);
}

const httpPlugin: PointIOPluginModule = {
  name: "@bms/http",
  protocol: "http",
  version: "1.0.0",
  create: (context) => createHttpPointIO(context),
};

export default httpPlugin;
