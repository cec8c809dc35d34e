import { conditional } from "./conditional";
import { delay } from "./delay";
import { feedback } from "./feedback";
import { latch } from "./latch";
import { sequencer } from "./sequencer";
import { totalizer } from "./totalizer";

export const controlNodes = [conditional, delay, sequencer, latch, totalizer, feedback] as const;
