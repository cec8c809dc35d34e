import { threshold } from "./threshold";

export const logicNodes = [threshold] as const;
