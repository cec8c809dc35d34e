import { actuatorWrite } from "./actuator-write";
import { alert } from "./alert";
import { log } from "./log";

export const outputNodes = [actuatorWrite, alert, log] as const;
