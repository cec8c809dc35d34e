/**
 * The EPICS-style device report: what the supervisor read from a device (apps/supervisor's
 * device-report.ts) and its text form. Kept here, free of the BACnet library, so the supervisor's
 * download and the Designer's and dashboard's downloads print the same file.
 */

/** An EPICS-style description of one device, as the device itself reports it. */
export interface DeviceReport {
  device_id: number;
  generated_at: string;
  route: { address: string; network: number | null; mac: number[] | null };
  object_name: string | null;
  vendor_name: string | null;
  vendor_id: number | null;
  model_name: string | null;
  firmware_revision: string | null;
  application_software_version: string | null;
  description: string | null;
  location: string | null;
  protocol_version: number | null;
  protocol_revision: number | null;
  max_apdu: number | null;
  segmentation: string | null;
  database_revision: number | null;
  services_supported: string[];
  object_types_supported: string[];
  object_list: { total: number; by_type: Record<string, number> };
  /** Properties the device did not give (optional ones it lacks, or refused): named, never guessed. */
  missing: string[];
}

const quoted = (value: string | null) => (value === null ? "(not reported)" : `"${value}"`);
const plain = (value: number | string | null) => (value === null ? "(not reported)" : String(value));

/** The report as an EPICS-style text file (the layout of a BTL PICS, with our route and counts). */
export function formatDeviceReport(report: DeviceReport): string {
  const lines = [
    "PICS 0",
    "BACnet Protocol Implementation Conformance Statement (read from the device by the BMS supervisor)",
    "",
    `Device Instance: ${report.device_id}`,
    `Generated: ${report.generated_at}`,
    `Route: ${report.route.address || "(unknown)"}`,
    `Object Name: ${quoted(report.object_name)}`,
    `Vendor Name: ${quoted(report.vendor_name)}`,
    `Vendor Identifier: ${plain(report.vendor_id)}`,
    `Product Model Number: ${quoted(report.model_name)}`,
    `Product Description: ${quoted(report.description)}`,
    `Location: ${quoted(report.location)}`,
    `Firmware Revision: ${quoted(report.firmware_revision)}`,
    `Application Software Version: ${quoted(report.application_software_version)}`,
    `BACnet Protocol Version: ${plain(report.protocol_version)}`,
    `BACnet Protocol Revision: ${plain(report.protocol_revision)}`,
    `Max APDU Length Accepted: ${plain(report.max_apdu)}`,
    `Segmentation Capability: ${plain(report.segmentation)}`,
    `Database Revision: ${plain(report.database_revision)}`,
    "",
    "BACnet Standard Application Services Supported:",
    "{",
    ...report.services_supported.map((name) => `  ${name}`),
    "}",
    "",
    "Standard Object Types Supported:",
    "{",
    ...report.object_types_supported.map((name) => `  ${name}`),
    "}",
    "",
    `List of Objects in test device: ${report.object_list.total} objects`,
    "{",
    ...Object.entries(report.object_list.by_type)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, count]) => `  ${type}: ${count}`),
    "}",
  ];
  if (report.missing.length > 0) lines.push("", `Not reported by the device: ${report.missing.join(", ")}`);
  lines.push("", "End of BACnet Protocol Implementation Conformance Statement", "");
  return lines.join("\n");
}
