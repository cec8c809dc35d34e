import { describeAggregate } from "../testing/aggregate-cases";
import { maximum } from "./max";

describeAggregate(maximum, 9);
