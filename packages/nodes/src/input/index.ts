import { sensorRead } from "./sensor-read";

export const inputNodes = [sensorRead] as const;
