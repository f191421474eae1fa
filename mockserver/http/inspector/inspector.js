// The mockserver inspector: live requests (newest first, streams event by event) and the
// server's stored state. Plain DOM, no dependencies, nothing fetched from anywhere else.
// Everything from the server is rendered with textContent, never as HTML.

const PREFIX = "/__mockserver/inspector";
const MAX_SHOWN = 500;
const PREVIEW_CHARS = 160;
const ACTIVE_JOB = new Set(["queued", "in_progress"]);
// The stored lists come a page at a time (the server reads only what a page shows); "show older"
// asks for one more page of that list.
const STORE_PAGE = 50;
const SERVER_MAX_PAGE = 500;
const wanted = { responses: STORE_PAGE, conversations: STORE_PAGE, background: STORE_PAGE };

const records = new Map(); // journal seq -> { data, el }
let jobsActive = false;
let storeTimer = null;
let clearedUpTo = 0; // "clear" hides everything up to this seq, also after a reconnect
let server = null; // which server instance the list shows (it changes when the server restarts)

// ---- small helpers --------------------------------------------------------------------------

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function clip(text, max = PREVIEW_CHARS) {
  if (!text) return "";
  const flat = String(text).replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

function clock(seconds) {
  if (typeof seconds !== "number") return "";
  const date = new Date(seconds * 1000);
  return date.toLocaleTimeString([], { hour12: false }) + "." +
    String(date.getMilliseconds()).padStart(3, "0");
}

function json(value) {
  return JSON.stringify(value, null, 2);
}

// A <details> whose JSON body is only built when it is opened (keeps long streams fast).
function lazyJSON(label, value) {
  const pre = h("pre");
  const details = h("details", { class: "json" }, h("summary", { text: label }), pre);
  details.addEventListener("toggle", () => {
    if (details.open && !pre.textContent) pre.textContent = json(value);
  });
  return details;
}

function headerTable(headers) {
  const rows = Object.entries(headers || {}).map(([name, value]) =>
    h("tr", {}, h("th", { text: name }), h("td", { text: value })));
  return h("table", { class: "headers" }, h("tbody", {}, ...rows));
}

// ---- what a request or reply says, in one line ----------------------------------------------

function partText(part) {
  if (!part || typeof part !== "object") return "";
  return part.text ?? part.refusal ?? part.transcript ?? "";
}

function itemText(item) {
  if (!item || typeof item !== "object") return String(item ?? "");
  if (typeof item.content === "string") return item.content;
  if (Array.isArray(item.content)) return item.content.map(partText).join("");
  if (item.type === "function_call") return `${item.name}(${item.arguments ?? ""})`;
  if (item.type === "function_call_output") return String(item.output ?? "");
  if (Array.isArray(item.summary)) return item.summary.map(partText).join(" ");
  return "";
}

function itemLabel(item) {
  if (!item || typeof item !== "object") return "input";
  return item.role ? `${item.type ?? "message"} · ${item.role}` : (item.type ?? "item");
}

function inputPreview(body) {
  if (!body || typeof body !== "object") return "";
  if (typeof body.input === "string") return body.input;
  if (Array.isArray(body.input)) return body.input.map(itemText).filter(Boolean).join(" / ");
  return "";
}

function outputText(response) {
  if (!response || !Array.isArray(response.output)) return "";
  return response.output.filter((item) => item.type === "message").map(itemText).join("");
}

function streamedText(events) {
  let text = "";
  for (const event of events || []) {
    if (event.type === "response.output_text.delta") text += event.delta;
    if (event.type === "error") text += ` [error: ${event.message ?? event.code}]`;
  }
  return text;
}

function replyPreview(data) {
  const body = data.response_body;
  if (body && body.error) return `error: ${body.error.message}`;
  if (data.events) return streamedText(data.events);
  if (body && body.object === "response") return outputText(body) || `status: ${body.status}`;
  return "";
}

// ---- requests -------------------------------------------------------------------------------

function newExchangeElement(seq) {
  const summary = h("summary");
  const detail = h("div", { class: "detail" });
  const li = h("li", { class: "exchange", "data-seq": String(seq) }, h("details", {}, summary, detail));
  li._summary = summary;
  li._detail = detail;
  const list = document.getElementById("exchanges");
  let before = list.firstElementChild;
  while (before && Number(before.dataset.seq) > seq) before = before.nextElementSibling;
  list.insertBefore(li, before);
  while (list.children.length > MAX_SHOWN) {
    const last = list.lastElementChild;
    records.delete(Number(last.dataset.seq));
    last.remove();
  }
  return li;
}

function eventElement(event, index) {
  const brief = event.delta !== undefined ? JSON.stringify(event.delta)
    : event.item ? `${event.item.type} ${event.item.id ?? ""}`
    : event.response ? `status: ${event.response.status}`
    : event.message ?? "";
  const label = h("summary", {},
    h("span", { class: "n", text: String(event.sequence_number ?? index) }),
    h("span", { class: "type", text: event.type }),
    h("span", { class: "brief", text: clip(brief, 100) }));
  const pre = h("pre");
  const details = h("details", {}, label, pre);
  details.addEventListener("toggle", () => {
    if (details.open && !pre.textContent) pre.textContent = json(event);
  });
  return h("li", { class: "event", "data-type": event.type }, details);
}

function renderSummary(record) {
  const { data, el } = record;
  const status = data.status ?? (data.finished ? "—" : "…");
  const kind = data.events ? `stream · ${data.events.length} events${data.finished ? "" : " …"}`
    : data.finished ? "json" : "pending";
  const query = data.query ? `?${data.query}` : "";
  const preview = clip(replyPreview(data)) || clip(inputPreview(data.request_body));
  el._summary.replaceChildren(
    h("time", { text: clock(data.started_at) }),
    h("span", { class: "method", text: data.method }),
    h("span", { class: "path", text: data.path + query }),
    h("span", { class: "status", "data-status": String(status), text: String(status) }),
    h("span", { class: "kind", text: kind }),
    h("span", { class: "rid", text: data.request_id }),
    h("span", { class: "preview", text: preview }));
  el.dataset.status = String(data.status ?? "");
  el.dataset.path = data.path;
  el.dataset.requestId = data.request_id;
  el.dataset.finished = String(data.finished);
  el._search = [data.method, data.path, data.query, status, data.request_id, preview,
    JSON.stringify(data.request_body ?? "")].join(" ").toLowerCase();
  applyFilter(el);
}

function renderDetail(record) {
  const { data, el } = record;
  const request = h("div", { class: "side" },
    h("h3", { text: `${data.method} ${data.path}${data.query ? "?" + data.query : ""}` }),
    lazyJSON("request headers", data.request_headers),
    data.request_body !== null ? h("pre", { class: "body", text: json(data.request_body) })
      : h("p", { class: "muted", text: "no JSON body" }));
  const reply = h("div", { class: "side" },
    h("h3", { text: data.status ? `${data.status} reply` : "waiting for the reply…" }),
    lazyJSON("response headers", data.response_headers));
  if (data.events) {
    const text = h("p", { class: "streamed-text", text: streamedText(data.events) });
    const list = h("ol", { class: "events" }, ...data.events.map(eventElement));
    reply.append(text, list);
    el._streamText = text;
    el._events = list;
  } else if (data.response_body !== null) {
    reply.append(h("pre", { class: "body", text: json(data.response_body) }));
  }
  el._detail.replaceChildren(request, reply);
}

function onExchange(data) {
  if (data.seq <= clearedUpTo) return;
  let record = records.get(data.seq);
  if (!record) {
    record = { data, el: newExchangeElement(data.seq) };
    records.set(data.seq, record);
  }
  record.data = data;
  renderSummary(record);
  renderDetail(record);
  document.getElementById("requests-empty").hidden = records.size > 0;
  document.getElementById("count-requests").textContent = String(records.size);
  if (data.finished) scheduleStoreRefresh();
}

function onEvents({ seq, start, events }) {
  const record = records.get(seq);
  if (!record || !record.data.events) return;
  const known = record.data.events;
  if (start > known.length) return; // a gap: the next "exchange" message brings everything
  const fresh = events.slice(known.length - start);
  for (const event of fresh) {
    known.push(event);
    record.el._events?.append(eventElement(event, known.length - 1));
  }
  if (record.el._streamText) record.el._streamText.textContent = streamedText(known);
  renderSummary(record);
}

// ---- stored state ---------------------------------------------------------------------------

function openKeys(list) {
  return new Set([...list.querySelectorAll("li[data-id] > details[open]")]
    .map((d) => d.parentElement.dataset.id));
}

function itemsList(items) {
  return h("ol", { class: "items" }, ...(items || []).map((item) =>
    h("li", { class: "item", "data-type": item.type ?? "" },
      h("span", { class: "label", text: itemLabel(item) }),
      h("span", { class: "text", text: clip(itemText(item), 400) }),
      lazyJSON("json", item))));
}

function renderResponses(entries) {
  const list = document.getElementById("stored-responses");
  const open = openKeys(list);
  list.replaceChildren(...entries.map(({ response, input_items: inputs }) => {
    const details = h("details", { open: open.has(response.id) },
      h("summary", {},
        h("time", { text: clock(response.created_at) }),
        h("span", { class: "rid", text: response.id }),
        h("span", { class: "status", "data-status": response.status, text: response.status }),
        h("span", { class: "kind", text: response.model }),
        response.background ? h("span", { class: "badge", text: "background" }) : null,
        response.previous_response_id
          ? h("span", { class: "badge", text: `after ${response.previous_response_id}` }) : null,
        h("span", { class: "preview", text: clip(outputText(response)) })),
      h("div", { class: "detail" },
        h("div", { class: "side" }, h("h3", { text: "input items" }), itemsList(inputs)),
        h("div", { class: "side" }, h("h3", { text: "output" }), itemsList(response.output),
          lazyJSON("response json", response))));
    return h("li", { class: "stored", "data-id": response.id }, details);
  }));
}

function renderConversations(entries) {
  const list = document.getElementById("stored-conversations");
  const open = openKeys(list);
  list.replaceChildren(...entries.map(({ conversation, items }) => {
    const details = h("details", { open: open.has(conversation.id) },
      h("summary", {},
        h("time", { text: clock(conversation.created_at) }),
        h("span", { class: "rid", text: conversation.id }),
        h("span", { class: "kind", text: `${items.length} items` }),
        h("span", { class: "preview", text: clip(JSON.stringify(conversation.metadata ?? {})) })),
      h("div", { class: "detail single" }, itemsList(items), lazyJSON("conversation json", conversation)));
    return h("li", { class: "stored", "data-id": conversation.id }, details);
  }));
}

function renderJobs(jobs) {
  const body = document.querySelector("#jobs tbody");
  body.replaceChildren(...jobs.map((job) => h("tr", { "data-id": job.id },
    h("td", { class: "rid", text: job.id }),
    h("td", {}, h("span", { class: "status", "data-status": job.status, text: job.status })),
    h("td", { text: job.model ?? "" }),
    h("td", { text: clock(job.created_at) }),
    h("td", { text: clock(job.started_at) }),
    h("td", { text: clock(job.done_at) }),
    h("td", { text: job.outcome ?? "" }),
    h("td", { text: clock(job.cancelled_at ?? undefined) }))));
  document.getElementById("jobs").hidden = jobs.length === 0;
}

function showCount(panel, count) {
  document.getElementById(`count-${panel}`).textContent = String(count);
  document.querySelector(`[data-panel="${panel}"] .empty`).hidden = count > 0;
}

// The newest `want` entries of one list, page by page (`before` = the last one seen).
async function loadList(kind, want) {
  const entries = [];
  let before = null;
  for (;;) {
    const params = new URLSearchParams({
      limit: String(Math.min(SERVER_MAX_PAGE, want - entries.length)),
    });
    if (before !== null) params.set("before", before);
    const reply = await fetch(`${PREFIX}/state/${kind}?${params}`, { cache: "no-store" });
    if (!reply.ok) return { entries, more: true }; // the cursor went meanwhile: next refresh
    const page = await reply.json();
    entries.push(...page.data);
    if (!page.has_more || entries.length >= want) return { entries, more: page.has_more };
    before = page.last_id;
  }
}

async function refreshStore() {
  storeTimer = null;
  try {
    const reply = await fetch(`${PREFIX}/state?limit=${STORE_PAGE}`, { cache: "no-store" });
    const state = await reply.json();
    const lists = {};
    for (const kind of Object.keys(wanted)) {
      // Only the newest STORE_PAGE of each come with the state; more are fetched when asked.
      lists[kind] = wanted[kind] > STORE_PAGE ? await loadList(kind, wanted[kind])
        : { entries: state[kind], more: state.totals[kind] > state[kind].length };
      showCount(kind, state.totals[kind]);
      document.querySelector(`[data-older="${kind}"]`).hidden = !lists[kind].more;
    }
    renderResponses(lists.responses.entries);
    renderConversations(lists.conversations.entries);
    renderJobs(lists.background.entries);
    jobsActive = state.background.some((job) => ACTIVE_JOB.has(job.status));
  } catch (error) {
    console.warn("inspector: could not read the server's state", error);
  }
  if (jobsActive) scheduleStoreRefresh(1000);
}

// At most one read of the state a second, however fast requests finish.
function scheduleStoreRefresh(delay = 1000) {
  if (storeTimer === null) storeTimer = setTimeout(refreshStore, delay);
}

// ---- page ------------------------------------------------------------------------------------

function forgetRequests() {
  records.clear();
  document.getElementById("exchanges").replaceChildren();
  document.getElementById("count-requests").textContent = "0";
  document.getElementById("requests-empty").hidden = false;
}

function onHello(hello) {
  if (server !== null && hello.server !== server) {
    // A new server process: its requests are numbered from 1 again.
    forgetRequests();
    clearedUpTo = 0;
    scheduleStoreRefresh(0);
  }
  server = hello.server;
}

function showTab(name) {
  for (const button of document.querySelectorAll("nav button")) {
    button.setAttribute("aria-pressed", String(button.dataset.tab === name));
  }
  for (const panel of document.querySelectorAll("[data-panel]")) {
    panel.hidden = panel.dataset.panel !== name;
  }
  if (name !== "requests") scheduleStoreRefresh(0);
}

function applyFilter(el) {
  const wanted = document.getElementById("filter").value.trim().toLowerCase();
  el.hidden = Boolean(wanted) && !(el._search || "").includes(wanted);
}

function connect() {
  const status = document.getElementById("connection");
  // The server ends the feed every second or so when idle (so that it can always shut down) and
  // the EventSource reconnects at once, resuming after the last id; only a lasting failure shows.
  let lost = null;
  const source = new EventSource(`${PREFIX}/events`);
  source.addEventListener("open", () => {
    clearTimeout(lost);
    lost = null;
    status.dataset.state = "live";
    status.textContent = "live";
  });
  source.addEventListener("error", () => {
    if (lost !== null) return;
    lost = setTimeout(() => {
      status.dataset.state = "reconnecting";
      status.textContent = "server unreachable, reconnecting…";
    }, 2000);
  });
  source.addEventListener("hello", (message) => onHello(JSON.parse(message.data)));
  source.addEventListener("exchange", (message) => onExchange(JSON.parse(message.data)));
  source.addEventListener("events", (message) => onEvents(JSON.parse(message.data)));
}

document.getElementById("api-base").textContent = `${location.origin}/v1`;
for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => showTab(button.dataset.tab));
}
document.getElementById("filter").addEventListener("input", () => {
  for (const { el } of records.values()) applyFilter(el);
});
for (const button of document.querySelectorAll("[data-older]")) {
  button.addEventListener("click", () => {
    wanted[button.dataset.older] += STORE_PAGE;
    clearTimeout(storeTimer);
    storeTimer = null;
    refreshStore();
  });
}
document.getElementById("clear").addEventListener("click", () => {
  clearedUpTo = Math.max(clearedUpTo, ...records.keys());
  forgetRequests();
});
connect();
refreshStore();
