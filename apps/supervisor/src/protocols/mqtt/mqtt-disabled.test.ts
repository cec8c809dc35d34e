import { describe, expect, it } from "vitest";
import { createMqttPointIO } from "./index";

const context = (config: unknown) => ({
  config,
  logger: { info: () => undefined, warn: () => undefined },
  now: () => 1_000,
  dataDir: "",
});

describe("MQTT plugin without a broker", () => {
  it("is disabled, and its points say why", async () => {
    const plugin = createMqttPointIO(context(undefined), {});
    await plugin.start();
    expect(plugin.health()).toMatchObject({ protocol: "mqtt", state: "disabled", connections: 0 });
    const [reading] = await plugin.read(["mqtt:a/b"]);
    expect(reading).toMatchObject({ quality: "bad", code: "unreachable" });
    expect(reading?.reason).toContain("no MQTT broker configured");
    expect((await plugin.write([{ ref: "mqtt:a/b", value: 1 }]))[0]?.code).toBe("unreachable");
    await plugin.shutdown();
    expect((await plugin.read(["mqtt:a/b"]))[0]?.code).toBe("busy");
  });

  it("refuses a bad configuration naming each path", () => {
    expect(() =>
      createMqttPointIO(context({ keepalive_s: 1, points: [{ topic: "x/+" }], bogus: 1 }), {}),
    ).toThrow(/mqtt\.keepalive_s.*mqtt\.points\.0\.topic|mqtt\.\(root\)/);
  });
});
