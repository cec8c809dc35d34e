export { AHU_SAT_RESET } from "./ahu-sat-reset";
export { demoProjectDocument, demoSiteExport } from "./demo-export";
export { DEMO_FLOW_IDS, DEMO_PROJECT, demoProject, demoSitePackage } from "./demo-site";
export { demoTestCases } from "./demo-tests";
export { LEAD_LAG_PUMPS } from "./lead-lag-pumps";
export { starterSubflows } from "./library";
export { VAV_REHEAT } from "./vav-reheat";
