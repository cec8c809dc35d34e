// bms-sim web UI: device list with paging and search, live object values, overrides and faults.
// Plain DOM and fetch; everything goes through the same REST API the tests use.
const PAGE_SIZE = 25;
const state = { offset: 0, query: "", selected: null, total: 0 };

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  for (const child of children)
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok)
    throw new Error(json.issues ? json.issues.map((i) => `${i.path}: ${i.message}`).join("; ") : json.error);
  return json;
}

function faultBadges(faults) {
  const badges = [];
  if (faults.offline) badges.push(el("span", { class: "badge offline" }, "offline"));
  if (faults.erroring) badges.push(el("span", { class: "badge erroring" }, "erroring"));
  if (faults.frozen) badges.push(el("span", { class: "badge frozen" }, "frozen"));
  if (faults.slow_ms > 0) badges.push(el("span", { class: "badge slow" }, `slow ${faults.slow_ms} ms`));
  return badges;
}

async function loadDevices() {
  const q = encodeURIComponent(state.query);
  const page = await api(`/api/devices?offset=${state.offset}&limit=${PAGE_SIZE}&q=${q}`);
  state.total = page.total;
  const rows = page.devices.map((d) =>
    el(
      "tr",
      { class: `device${d.id === state.selected ? " selected" : ""}`, onclick: () => selectDevice(d.id) },
      el("td", {}, d.id),
      el("td", {}, d.name, ...faultBadges(d.faults)),
      el("td", { class: "muted" }, d.address),
    ),
  );
  $("#devices").replaceChildren(...rows);
  const last = Math.min(state.offset + PAGE_SIZE, state.total);
  $("#page-info").textContent = state.total ? `${state.offset + 1}-${last} of ${state.total}` : "no devices";
  $("#prev").disabled = state.offset === 0;
  $("#next").disabled = last >= state.total;
}

function selectDevice(id) {
  state.selected = id;
  const url = new URL(window.location.href);
  url.searchParams.set("device", String(id));
  window.history.replaceState(null, "", url);
  void loadDevices();
  void loadObjects(true);
}

function formatValue(o, value) {
  if (value === null || value === undefined) return "NULL";
  if (o.type.startsWith("binary")) return value ? o.activeText : o.inactiveText;
  if (o.stateText) return `${value} (${o.stateText[value - 1] ?? "?"})`;
  return `${Math.round(value * 100) / 100} ${o.unitsSymbol}`.trim();
}

async function override(o, raw) {
  let value = null;
  if (raw !== null) {
    const text = raw.trim().toLowerCase();
    if (o.type.startsWith("binary")) value = ["1", "true", "on", "active"].includes(text);
    else value = Number(text);
  }
  try {
    await api(`/api/devices/${state.selected}/objects/${o.type}/${o.instance}/override`, { value });
    $("#error").textContent = "";
  } catch (err) {
    $("#error").textContent = String(err.message ?? err);
  }
  void loadObjects(false);
}

function objectRow(o) {
  const input = el("input", { class: "override", type: "text", placeholder: "value" });
  const flags = [];
  if (o.override !== null) flags.push(el("span", { class: "badge override" }, "override"));
  if (o.outOfService && o.override === null)
    flags.push(el("span", { class: "badge frozen" }, "out of service"));
  const pa = o.priorityArray
    ? o.priorityArray
        .map((v, i) => (v === null ? null : `@${i + 1}=${formatValue(o, v)}`))
        .filter(Boolean)
        .join(" ") || `default ${formatValue(o, o.relinquishDefault)}`
    : "";
  return el(
    "tr",
    { "data-id": o.id },
    el("td", { class: "muted" }, o.id),
    el("td", {}, o.name, ...flags),
    el("td", { class: "value" }, formatValue(o, o.presentValue)),
    el("td", { class: "pa" }, pa),
    el(
      "td",
      {},
      input,
      el("button", { onclick: () => override(o, input.value) }, "Override"),
      el("button", { onclick: () => override(o, null), disabled: o.override === null }, "Release"),
    ),
  );
}

function renderFaults(device) {
  const f = device.faults;
  const toggle = (key, label) =>
    el(
      "label",
      {},
      el("input", {
        type: "checkbox",
        checked: f[key] ? "checked" : false,
        onchange: (e) => setFault({ [key]: e.target.checked }),
      }),
      ` ${label}`,
    );
  const slow = el("input", {
    type: "number",
    min: 0,
    max: 120000,
    step: 100,
    value: f.slow_ms,
    style: "width:80px",
  });
  $("#faults").replaceChildren(
    el("strong", {}, "Faults:"),
    toggle("offline", "offline (no answer)"),
    toggle("erroring", "erroring (Error PDUs)"),
    toggle("frozen", "frozen (values stop)"),
    el(
      "label",
      {},
      "slow ",
      slow,
      " ms ",
      el("button", { onclick: () => setFault({ slow_ms: Number(slow.value) }) }, "Set"),
    ),
  );
}

async function setFault(patch) {
  try {
    await api(`/api/devices/${state.selected}/faults`, patch);
  } catch (err) {
    $("#error").textContent = String(err.message ?? err);
  }
  void loadObjects(true);
  void loadDevices();
}

async function loadObjects(full) {
  if (state.selected === null) return;
  const data = await api(`/api/devices/${state.selected}/objects`);
  $("#device-title").textContent =
    `${data.device.name} (device ${data.device.id}, ${data.device.address}:${data.device.port})`;
  if (full) renderFaults(data.device);
  const body = $("#objects");
  const focused = document.activeElement;
  // Keep a row whose override box the user is typing in; refresh the others.
  const keep = focused?.closest?.("tr")?.dataset?.id;
  const rows = data.objects.map((o) =>
    o.id === keep ? body.querySelector(`tr[data-id="${keep}"]`) : objectRow(o),
  );
  body.replaceChildren(...rows.filter(Boolean));
}

async function loadHealth() {
  const h = await api("/api/health");
  $("#meta").textContent =
    `site ${h.site} · ${h.devices} devices · UDP ${h.port} · sim time ${new Date(h.sim_time).toLocaleString()} ×${h.speed}` +
    (h.environment
      ? ` · outdoor ${h.environment.outdoorTempC.toFixed(1)} °C · occupancy ${Math.round(h.environment.occupancy * 100)}%`
      : "");
}

function init() {
  $("#prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    void loadDevices();
  });
  $("#next").addEventListener("click", () => {
    state.offset += PAGE_SIZE;
    void loadDevices();
  });
  $("#search").addEventListener("input", (e) => {
    state.query = e.target.value;
    state.offset = 0;
    void loadDevices();
  });
  const wanted = Number(new URL(window.location.href).searchParams.get("device"));
  const first = document.querySelector("tr.device");
  if (wanted) selectDevice(wanted);
  else if (first) selectDevice(Number(first.dataset.id));
  void loadDevices();
  void loadHealth();
  setInterval(() => {
    void loadObjects(false).catch(() => {});
    void loadHealth().catch(() => {});
  }, 1000);
  setInterval(() => void loadDevices().catch(() => {}), 5000);
}

init();
