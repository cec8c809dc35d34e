/**
 * The MQTT benchmark's publisher, in its own process so its CPU is not counted against the supervisor
 * side: QoS 0 JSON readings round-robin over `topics` topics, as fast as the broker takes them (a window
 * of unacknowledged writes keeps it from buffering without bound), or paced at a given rate. Each topic's value changes on every
 * message, so history stores every one. Argv: url, topics, seconds, rate (0: flood).
 */
import mqtt from "mqtt";

const [url = "", topicsText = "1000", secondsText = "10", rateText = "0"] = process.argv.slice(2);
const topics = Number(topicsText);
const seconds = Number(secondsText);
/** Messages per second; 0 floods (as fast as the window allows). */
const rate = Number(rateText);
const WINDOW = 2_000;

const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `bench-pub-${process.pid}` });
console.log("publisher connected");
let sent = 0;
let outstanding = 0;
const end = Date.now() + seconds * 1000;
await new Promise<void>((resolve) => {
  const begun = Date.now();
  const pump = () => {
    const now = Date.now();
    if (now >= end) return resolve();
    // Paced: publish up to where the schedule says we should be by now.
    const target = rate > 0 ? Math.floor(((now - begun) / 1000) * rate) : Number.POSITIVE_INFINITY;
    while (outstanding < WINDOW && sent < target) {
      const i = sent % topics;
      outstanding++;
      sent++;
      client.publish(
        `bench/sensor/${i}`,
        `{"t":${(20 + (Math.floor(sent / topics) % 100) / 10).toFixed(1)},"seq":${sent}}`,
        { qos: 0 },
        () => {
          outstanding--;
        },
      );
    }
    if (rate > 0) setTimeout(pump, 5);
    else setImmediate(pump);
  };
  pump();
});
await client.endAsync();
console.log(`published ${sent}`);
