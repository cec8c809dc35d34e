import { ApiError, apiGet } from "./client";
import type { CurrentConfigResponse } from "./types";

/** The deployed config, or null when nothing was deployed yet (the API answers 404). */
export async function loadCurrentConfig(): Promise<CurrentConfigResponse | null> {
  try {
    return await apiGet<CurrentConfigResponse>("/api/config/current");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
