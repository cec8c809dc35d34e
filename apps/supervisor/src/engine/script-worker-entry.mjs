// The worker thread's entry: plain JavaScript, because a worker does not inherit the parent's TypeScript
// loader (tsx's --import hooks do not reach worker threads on Node 20). It registers tsx in this thread,
// then loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./script-worker.ts");
