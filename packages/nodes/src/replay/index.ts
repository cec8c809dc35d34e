export {
  type ChangeWindow,
  type CompareOptions,
  clockText,
  compareReplays,
  describeChange,
  type OutputComparison,
  roundForText,
} from "./replay-compare";
export {
  type CommandTrack,
  type RecordedInputs,
  RecordedReader,
  type RecordedSample,
  type ReplayOptions,
  type ReplayRun,
  replayFlow,
} from "./replay-run";
