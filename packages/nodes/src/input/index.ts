import { constant } from "./constant";
import { parameter } from "./parameter";
import { pointStatus } from "./point-status";
import { sensorRead } from "./sensor-read";
import { trigger } from "./trigger";
import { weeklySchedule } from "./weekly-schedule";

export const inputNodes = [sensorRead, parameter, constant, trigger, weeklySchedule, pointStatus] as const;
