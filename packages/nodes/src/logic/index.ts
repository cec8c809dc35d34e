import { and } from "./and";
import { average } from "./average";
import { changeDetect } from "./change-detect";
import { hysteresis } from "./hysteresis";
import { limit } from "./limit";
import { math } from "./math";
import { maximum } from "./max";
import { minimum } from "./min";
import { movingAverage } from "./moving-average";
import { not } from "./not";
import { or } from "./or";
import { ramp } from "./ramp";
import { select } from "./select";
import { threshold } from "./threshold";
import { xor } from "./xor";

export const logicNodes = [
  threshold,
  and,
  or,
  not,
  xor,
  hysteresis,
  select,
  limit,
  minimum,
  maximum,
  average,
  math,
  ramp,
  movingAverage,
  changeDetect,
] as const;
