import { createStore } from "../store";

const OPERATOR_KEY = "bms-dashboard-operator";

function read(key: string): string {
  try {
    return localStorage.getItem(key) ?? "";
  } catch {
    // Private browsing on some tablets refuses storage: the name then lasts for this page only.
    return "";
  }
}

/**
 * Who acknowledges alarms from this tablet, when several people share one sign-in; the audit trail
 * records the signed-in identity beside it either way. Kept in this browser only.
 */
export const operatorStore = createStore(read(OPERATOR_KEY));
operatorStore.subscribe((name) => {
  try {
    if (name) localStorage.setItem(OPERATOR_KEY, name);
    else localStorage.removeItem(OPERATOR_KEY);
  } catch {
    // see read()
  }
});
