import { script } from "./script";
import { subflow } from "./subflow";
import { subflowInput } from "./subflow-input";
import { subflowOutput } from "./subflow-output";

export const extensionNodes = [script, subflow, subflowInput, subflowOutput] as const;
