// The svtool console: polls /api/status, posts actions with the CSRF token, follows logs.
// Every piece of server data reaches the page through textContent or attributes, never as
// markup, so a process name or a log line with HTML in it stays text.
"use strict";

const POLL_MS = 2000;
const LOG_LIMIT = 512 * 1024;
const RUNNING_STATES = new Set(["STARTING", "RUNNING", "BACKOFF"]);

const ui = {
  token: "",
  offset: 0,          // local clock minus server clock, in seconds
  timer: 0,
  rows: new Map(),    // namespec -> row record
  cards: new Map(),   // card key -> card record
  status: null,
  log: null,          // the open log view
};

function $(id) { return document.getElementById(id); }

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label, action, cls) {
  const b = el("button", cls || "", label);
  b.type = "button";
  b.dataset.action = action;
  return b;
}

function duration(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const d = Math.floor(seconds / 86400);
  const h = Math.floor(seconds / 3600) % 24;
  const m = Math.floor(seconds / 60) % 60;
  const s = seconds % 60;
  const hms = [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
  return d ? `${d}d ${hms}` : hms;
}

function serverNow() { return Date.now() / 1000 - ui.offset; }

// -- status -------------------------------------------------------------------------------

async function poll() {
  clearTimeout(ui.timer);
  try {
    const resp = await fetch("api/status", { cache: "no-store" });
    if (resp.status === 401) {
      banner("Not authorised: reload the page to sign in again.");
    } else if (!resp.ok) {
      banner(`The supervisor answered ${resp.status}; retrying.`);
    } else {
      const data = await resp.json();
      banner("");
      render(data);
    }
  } catch (err) {
    banner("Lost contact with the supervisor; retrying…");
  }
  if (!document.hidden) ui.timer = setTimeout(poll, POLL_MS);
}

function banner(text) {
  const b = $("banner");
  b.textContent = text;
  b.hidden = !text;
}

function render(data) {
  ui.status = data;
  ui.token = data.csrf;
  ui.offset = Date.now() / 1000 - data.now;
  $("meta").textContent = `${data.identification} · pid ${data.pid} · ${data.state.toLowerCase()}`;
  document.title = `${data.identification} · svtool`;
  $("mainlog-button").disabled = !data.mainlog;

  const counts = {};
  let total = 0;
  const seen = new Set();
  const container = $("groups");
  const order = [];
  const standalone = [];
  for (const g of data.groups) {
    const single = g.processes.length === 1 && g.processes[0].name === g.name;
    if (single) standalone.push(g.processes[0]);
    else order.push({ key: "group:" + g.name, title: g.name, group: g.name, procs: g.processes });
  }
  if (standalone.length) order.unshift({ key: "programs", title: "programs", group: null, procs: standalone });

  const usedCards = new Set();
  let previous = null;
  for (const spec of order) {
    const card = ensureCard(spec);
    usedCards.add(spec.key);
    if (card.node.previousElementSibling !== previous || card.node.parentNode !== container) {
      container.insertBefore(card.node, previous ? previous.nextSibling : container.firstChild);
    }
    previous = card.node;
    let running = 0;
    let prevRow = null;
    for (const p of spec.procs) {
      total += 1;
      counts[p.state] = (counts[p.state] || 0) + 1;
      if (p.state === "RUNNING") running += 1;
      seen.add(p.namespec);
      const row = ensureRow(p);
      updateRow(row, p);
      if (row.node.parentNode !== card.list || row.node.previousElementSibling !== prevRow) {
        card.list.insertBefore(row.node, prevRow ? prevRow.nextSibling : card.list.firstChild);
      }
      prevRow = row.node;
    }
    card.count.textContent = `${running} of ${spec.procs.length} running`;
  }
  for (const [key, row] of ui.rows) {
    if (!seen.has(key)) { row.node.remove(); ui.rows.delete(key); }
  }
  for (const [key, card] of ui.cards) {
    if (!usedCards.has(key)) { card.node.remove(); ui.cards.delete(key); }
  }
  $("empty").hidden = total > 0;

  const summary = $("summary");
  summary.replaceChildren();
  for (const state of ["RUNNING", "STARTING", "BACKOFF", "STOPPING", "STOPPED", "EXITED", "FATAL", "UNKNOWN"]) {
    if (!counts[state]) continue;
    const chip = el("span", `chip state-${state.toLowerCase()}`);
    chip.append(el("b", "", String(counts[state])), document.createTextNode(" " + state.toLowerCase()));
    summary.append(chip);
  }
  applyFilter();
  tick();
  $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  if (ui.log && ui.log.namespec) syncLogTabs();
}

function ensureCard(spec) {
  let card = ui.cards.get(spec.key);
  if (card) return card;
  const node = el("section", "card");
  const head = el("div", "cardhead");
  const title = el("h2", "", spec.title);
  const count = el("span", "count");
  const titles = el("div", "cardtitle");
  titles.append(title, count);
  head.append(titles);
  if (spec.group !== null) {
    const actions = el("div", "groupactions");
    actions.append(button("Start", "start"), button("Stop", "stop", "danger"),
                   button("Restart", "restart"), button("Clear logs", "clearlog", "ghost"));
    for (const b of actions.querySelectorAll("button")) {
      b.dataset.scope = "group";
      b.dataset.name = spec.group;
    }
    head.append(actions);
    node.dataset.group = spec.group;
  }
  const list = el("div", "procs");
  node.append(head, list);
  card = { node, list, count };
  ui.cards.set(spec.key, card);
  return card;
}

function ensureRow(p) {
  let row = ui.rows.get(p.namespec);
  if (row) return row;
  const node = el("div", "proc");
  node.dataset.namespec = p.namespec;
  const state = el("span", "state");
  const name = el("div", "name");
  const title = el("span", "procname", p.name);
  name.append(title);
  const pid = el("span", "pid");
  const uptime = el("span", "uptime");
  const desc = el("span", "desc");
  const actions = el("div", "actions");
  const start = button("Start", "start");
  const stop = button("Stop", "stop", "danger");
  const restart = button("Restart", "restart");
  const log = button("Log", "log", "ghost");
  const clear = button("Clear", "clearlog", "ghost");
  for (const b of [start, stop, restart, clear]) {
    b.dataset.scope = "process";
    b.dataset.name = p.namespec;
  }
  log.dataset.name = p.namespec;
  actions.append(start, stop, restart, log, clear);
  node.append(state, name, pid, uptime, desc, actions);
  row = { node, state, pid, uptime, desc, start, stop, restart, log, clear, data: p };
  ui.rows.set(p.namespec, row);
  return row;
}

function updateRow(row, p) {
  row.data = p;
  row.state.textContent = p.state;
  row.state.className = `state state-${p.state.toLowerCase()}`;
  row.node.dataset.state = p.state;
  row.pid.textContent = p.pid ? `pid ${p.pid}` : "";
  // RUNNING shows pid and uptime in their own columns; svtool run may add readiness and health
  // after "pid N, uptime T; " (the STATUS= a process sent, a failing liveness probe)
  row.desc.textContent = p.state === "RUNNING"
    ? p.description.split("; ").slice(1).join("; ") : p.description;
  row.desc.title = p.description;
  const busy = row.node.classList.contains("busy");
  row.start.disabled = busy || RUNNING_STATES.has(p.state) || p.state === "STOPPING";
  row.stop.disabled = busy || !RUNNING_STATES.has(p.state);
  row.restart.disabled = busy || p.state === "STOPPING";
  row.log.disabled = p.logs.length === 0;
  row.clear.disabled = busy || p.logs.length === 0;
}

// Uptime advances on the local clock between polls, so the server is not asked every second.
function tick() {
  const now = serverNow();
  for (const row of ui.rows.values()) {
    const p = row.data;
    row.uptime.textContent = p.state === "RUNNING" && p.start ? "up " + duration(now - p.start) : "";
  }
}

function applyFilter() {
  const needle = $("filter").value.trim().toLowerCase();
  for (const row of ui.rows.values()) {
    row.node.hidden = Boolean(needle) && !row.data.namespec.toLowerCase().includes(needle);
  }
  for (const card of ui.cards.values()) {
    card.node.hidden = ![...card.list.children].some((r) => !r.hidden);
  }
}

// -- actions ------------------------------------------------------------------------------

async function act(action, scope, name, trigger) {
  if (scope === "all" && action !== "start" &&
      !window.confirm(`${action[0].toUpperCase() + action.slice(1)} every process?`)) return;
  const row = scope === "process" ? ui.rows.get(name) : null;
  const label = scope === "all" ? "all processes" : name;
  if (row) { row.node.classList.add("busy"); updateRow(row, row.data); }
  if (trigger) trigger.classList.add("pending");
  setTimeout(poll, 300);  // show STOPPING/STARTING while a slow action is under way
  try {
    const resp = await fetch("api/action", {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": ui.token },
      body: JSON.stringify({ action, scope, name }),
    });
    let result = { ok: false, message: `HTTP ${resp.status}` };
    try { result = await resp.json(); } catch (err) { /* keep the status line */ }
    toast(`${action} ${label}: ${result.message}`, result.ok ? "ok" : "error");
    if (result.ok && action === "clearlog" && ui.log &&
        (scope === "all" || ui.log.namespec === name ||
         (scope === "group" && ui.log.group === name))) {
      $("logbody").replaceChildren();
      ui.log.size = 0;
    }
  } catch (err) {
    toast(`${action} ${label}: no answer from the supervisor`, "error");
  } finally {
    if (row) row.node.classList.remove("busy");
    if (trigger) trigger.classList.remove("pending");
    poll();
  }
}

function toast(text, kind) {
  const t = el("div", `toast ${kind}`, text);
  $("toasts").append(t);
  setTimeout(() => t.classList.add("fade"), 4000);
  setTimeout(() => t.remove(), 4600);
}

// -- logs ---------------------------------------------------------------------------------

function openLog(namespec, channel) {
  closeLog();
  const p = namespec ? ui.rows.get(namespec).data : null;
  ui.log = {
    namespec, group: p ? p.group : null, channel, controller: null, size: 0, retry: 0,
  };
  $("logtitle").textContent = namespec ? namespec : "supervisor";
  $("logtabs").hidden = !namespec;
  $("logclear").hidden = !namespec;
  $("logpanel").hidden = false;
  document.body.classList.add("logopen");
  syncLogTabs();
  follow();
}

function syncLogTabs() {
  const p = ui.rows.get(ui.log.namespec);
  for (const tab of $("logtabs").querySelectorAll("button")) {
    tab.disabled = !p || !p.data.logs.includes(tab.dataset.channel);
    tab.setAttribute("aria-selected", String(tab.dataset.channel === ui.log.channel));
  }
}

function closeLog() {
  if (!ui.log) return;
  if (ui.log.controller) ui.log.controller.abort();
  clearTimeout(ui.log.retry);
  ui.log = null;
  $("logpanel").hidden = true;
  $("logbody").replaceChildren();
  document.body.classList.remove("logopen");
}

async function follow() {
  const view = ui.log;
  const url = view.namespec
    ? `api/log/${encodeURIComponent(view.namespec)}/${view.channel}`
    : "api/mainlog";
  view.controller = new AbortController();
  $("logbody").replaceChildren();
  view.size = 0;
  const live = $("loglive");
  try {
    const resp = await fetch(url, { signal: view.controller.signal, cache: "no-store" });
    if (!resp.ok) {
      live.textContent = resp.status === 404 ? "no log file" : `HTTP ${resp.status}`;
      live.className = "live off";
      return;
    }
    live.textContent = "live";
    live.className = "live";
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      appendLog(view, decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    if (err.name === "AbortError") return;
  }
  if (ui.log === view) {
    live.textContent = "reconnecting";
    live.className = "live off";
    view.retry = setTimeout(() => { if (ui.log === view) follow(); }, 2000);
  }
}

function appendLog(view, text) {
  if (ui.log !== view || !text) return;
  const body = $("logbody");
  body.append(document.createTextNode(text));
  view.size += text.length;
  while (view.size > LOG_LIMIT && body.firstChild) {
    view.size -= body.firstChild.textContent.length;
    body.firstChild.remove();
  }
  if ($("logfollow").checked) body.scrollTop = body.scrollHeight;
}

// -- wiring -------------------------------------------------------------------------------

document.addEventListener("click", (event) => {
  const b = event.target.closest("button[data-action]");
  if (!b || b.disabled) return;
  if (b.dataset.action === "log") {
    const p = ui.rows.get(b.dataset.name).data;
    openLog(b.dataset.name, p.logs.includes("stdout") ? "stdout" : p.logs[0]);
  } else {
    act(b.dataset.action, b.dataset.scope, b.dataset.name || "", b);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  $("mainlog-button").addEventListener("click", () => openLog(null, null));
  $("logclose").addEventListener("click", closeLog);
  $("logclear").addEventListener("click", (event) => {
    if (ui.log && ui.log.namespec) act("clearlog", "process", ui.log.namespec, event.currentTarget);
  });
  $("logtabs").addEventListener("click", (event) => {
    const tab = event.target.closest("button[data-channel]");
    if (!tab || tab.disabled || !ui.log || tab.dataset.channel === ui.log.channel) return;
    ui.log.controller.abort();
    clearTimeout(ui.log.retry);
    ui.log.channel = tab.dataset.channel;
    syncLogTabs();
    follow();
  });
  $("logbody").addEventListener("scroll", () => {
    const body = $("logbody");
    $("logfollow").checked = body.scrollHeight - body.scrollTop - body.clientHeight < 24;
  });
  $("filter").addEventListener("input", applyFilter);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeLog();
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  setInterval(() => { if (!document.hidden) tick(); }, 1000);
  poll();
});
