import { conditional } from "./conditional";
import { delay } from "./delay";
import { feedback } from "./feedback";
import { latch } from "./latch";
import { pid } from "./pid";
import { sequencer } from "./sequencer";
import { totalizer } from "./totalizer";

export const controlNodes = [conditional, delay, pid, sequencer, latch, totalizer, feedback] as const;
