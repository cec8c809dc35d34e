import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app";

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(<App />, root);
  // For the page-weight bench: when the shell is on screen (data follows as each view polls).
  performance.mark("dashboard-rendered");
}
