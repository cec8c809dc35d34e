import type { CommissioningReport } from "../src/commissioning/report-types";

/**
 * A small finished commissioning report (one read line), as the runner stores it before sealing: the one
 * fixture the report store, HTML and signature tests start from; each test overrides what it is about.
 * `finished_at` follows `status` (null while running) unless given.
 */
export function reportFixture(fields: Partial<CommissioningReport> = {}): CommissioningReport {
  const status = fields.status ?? "done";
  return {
    id: "cr-20261202-083000-abcdef",
    status,
    site: "Main Street Offices",
    project_version: "1.4.0",
    config_version: 7,
    person: "Ines Moreau",
    started_by: "ops-token",
    notes: "",
    started_at: "2026-12-02T08:30:00.000Z",
    finished_at: status === "running" ? null : "2026-12-02T08:31:00.000Z",
    supervisor_version: "0.1.0",
    checkout: [
      {
        point: "bacnet:3001/analogInput:1.presentValue",
        device: "bacnet:3001",
        commanded: false,
        value: 21.5,
        units: "degreesCelsius",
        quality: "good",
        response_ms: 3.2,
        verdict: "pass",
        detail: "read",
      },
    ],
    summary: { pass: 0, fail: 0, skipped: 0 },
    digest: null,
    signature: null,
    ...fields,
  };
}
