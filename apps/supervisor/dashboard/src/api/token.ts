import { createStore } from "../store";

const TOKEN_KEY = "bms-dashboard-token";
const OPERATOR_KEY = "bms-dashboard-operator";

function read(key: string): string {
  try {
    return localStorage.getItem(key) ?? "";
  } catch {
    // Private browsing on some tablets refuses storage: the token then lasts for this page only.
    return "";
  }
}

function write(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    // see read()
  }
}

/** The bearer token the page sends; views re-fetch when it changes. */
export const tokenStore = createStore(read(TOKEN_KEY));
tokenStore.subscribe((token) => write(TOKEN_KEY, token));

/** Who acknowledges alarms from this tablet; kept with the token. */
export const operatorStore = createStore(read(OPERATOR_KEY) || "dashboard operator");
operatorStore.subscribe((name) => write(OPERATOR_KEY, name));
