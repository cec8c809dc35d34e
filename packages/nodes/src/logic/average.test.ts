import { describeAggregate } from "../testing/aggregate-cases";
import { average } from "./average";

describeAggregate(average, 5);
