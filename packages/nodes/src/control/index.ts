import { conditional } from "./conditional";
import { delay } from "./delay";
import { feedback } from "./feedback";
import { latch } from "./latch";
import { loop } from "./loop";
import { pid } from "./pid";
import { sequencer } from "./sequencer";
import { totalizer } from "./totalizer";

export const controlNodes = [conditional, loop, delay, pid, sequencer, latch, totalizer, feedback] as const;
