import { actuatorWrite } from "./actuator-write";

export const outputNodes = [actuatorWrite] as const;
