import { math } from "./math";
import { threshold } from "./threshold";

export const logicNodes = [threshold, math] as const;
