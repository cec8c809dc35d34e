import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The person a request acts for, available to code far below the route (the supervisor client adds
 * `X-BMS-Actor` from it) without threading a parameter through every call. Kept on globalThis so the
 * route bundles and the server entry share one store.
 */
export interface Actor {
  name: string;
  role: string;
}

const holder = globalThis as typeof globalThis & { __bmsActorStore?: AsyncLocalStorage<Actor> };

function store(): AsyncLocalStorage<Actor> {
  holder.__bmsActorStore ??= new AsyncLocalStorage<Actor>();
  return holder.__bmsActorStore;
}

export function runAs<T>(actor: Actor, work: () => T): T {
  return store().run(actor, work);
}

export function currentActor(): Actor | undefined {
  return store().getStore();
}
