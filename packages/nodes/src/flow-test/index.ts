export { describeExpectation, judge, satisfies } from "./expectations";
export { readTestedProject } from "./project-file";
export { junitXml, textReport } from "./report";
export {
  type ExpectationResult,
  type FlowTestResult,
  runFlowTestCase,
  runProjectTests,
} from "./run-flow-tests";
