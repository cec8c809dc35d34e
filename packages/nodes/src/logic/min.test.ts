import { describeAggregate } from "../testing/aggregate-cases";
import { minimum } from "./min";

describeAggregate(minimum, 1);
