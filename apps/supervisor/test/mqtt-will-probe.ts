/**
 * A supervisor-side MQTT client in its own process, so a test can kill it with SIGKILL and watch the
 * broker publish its last will: a real crash, not a simulated one. Argv: broker URL, status topic.
 */
import { createMqttPointIO } from "../src/protocols/mqtt";

const [url, statusTopic] = process.argv.slice(2);
const plugin = createMqttPointIO(
  {
    config: { url, status_topic: statusTopic, keepalive_s: 5 },
    logger: { info: () => undefined, warn: () => undefined },
    now: () => Date.now(),
    dataDir: "",
  },
  {},
);
await plugin.start();
console.log(`probe ${plugin.health().state}`);
setInterval(() => undefined, 60_000);
