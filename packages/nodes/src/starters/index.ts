export { AHU_SAT_RESET } from "./ahu-sat-reset";
export { DEMO_FLOW_IDS, DEMO_PROJECT, demoProject, demoSitePackage } from "./demo-site";
export { LEAD_LAG_PUMPS } from "./lead-lag-pumps";
export { starterSubflows } from "./library";
export { VAV_REHEAT } from "./vav-reheat";
