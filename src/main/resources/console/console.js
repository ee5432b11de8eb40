// payout-gateway operations console. No framework: every view is built with DOM calls and
// textContent (never as markup), so no value from the gateway can become markup. The session is
// an HttpOnly cookie set by POST /console/login; the CSRF token it answers with is kept in memory
// only (and fetched again from GET /console/session after a reload). No key is ever stored.
"use strict";

(function () {
  const STATES = ["RECEIVED", "REJECTED", "SENDING", "SUBMITTED", "UNKNOWN", "SUCCESS", "FAILED"];
  let session = null;
  const view = () => document.getElementById("view");

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "onclick" || k === "onsubmit" || k === "onchange") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  function table(id, headers, rows) {
    return el("table", { id: id },
      el("thead", {}, el("tr", {}, headers.map(h => el("th", { text: h })))),
      el("tbody", {}, rows));
  }

  function td(value, cls) {
    return el("td", { class: cls, text: value === null || value === undefined ? "" : String(value) });
  }

  function stateCell(state) {
    return el("td", {}, el("span", { class: "state state-" + state, text: state }));
  }

  function storyLink(reference) {
    return el("a", { href: "#/story/" + encodeURIComponent(reference), class: "story-link", text: reference });
  }

  function show(...nodes) {
    const v = view();
    v.replaceChildren(...nodes);
  }

  function message(id, text, isError) {
    const m = document.getElementById(id);
    if (m) {
      m.textContent = text;
      m.className = isError ? "error" : "notice";
    }
  }

  function when(iso) {
    return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
  }

  function seconds(n) {
    if (n === null || n === undefined) return "none";
    if (n < 120) return n + " s";
    if (n < 7200) return Math.round(n / 60) + " min";
    return Math.round(n / 3600) + " h";
  }

  // ------------------------------------------------------------------ API
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ("HTTP " + status));
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(path, options) {
    const opts = Object.assign({ method: "GET", credentials: "same-origin", headers: {} }, options || {});
    if (opts.method !== "GET" && session) opts.headers["X-CSRF-Token"] = session.csrf_token;
    if (opts.body !== undefined && typeof opts.body !== "string") {
      opts.body = JSON.stringify(opts.body);
      opts.headers["Content-Type"] = "application/json";
    }
    const r = await fetch(path, opts);
    const type = r.headers.get("Content-Type") || "";
    const body = type.includes("json") ? await r.json() : null;
    if (r.status === 401 && path.startsWith("/api/")) {
      session = null;
      location.hash = "#/login";
      throw new ApiError(401, body);
    }
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }

  function has(role) {
    return session && session.roles.includes(role);
  }

  // ------------------------------------------------------------------ routing
  function parseHash() {
    const h = location.hash.replace(/^#\/?/, "");
    const [path, query] = h.split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    return { name: parts[0] || "overview", arg: parts[1], params: new URLSearchParams(query || "") };
  }

  const VIEWS = {
    login: loginView, overview: overviewView, payouts: payoutsView, story: storyView,
    settlements: settlementsView, attention: attentionView, files: filesView, erp: erpView, audit: auditView
  };

  async function route() {
    const r = parseHash();
    if (!session && r.name !== "login") {
      try {
        session = await api("/console/session");
      } catch (e) {
        session = null;
      }
      if (!session) {
        location.hash = "#/login";
        return;
      }
    }
    document.getElementById("nav").hidden = !session;
    document.getElementById("who").hidden = !session;
    document.getElementById("whoami").textContent = session
      ? session.client + " (" + session.roles.join(", ") + ")" : "";
    for (const a of document.querySelectorAll("#nav a")) {
      a.classList.toggle("current", a.getAttribute("href") === "#/" + r.name);
    }
    const render = VIEWS[r.name] || overviewView;
    try {
      await render(r);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        show(el("h1", { text: "Something went wrong" }), el("p", { class: "error", id: "view-error", text: e.message }));
      }
    }
  }

  // ------------------------------------------------------------------ login
  function loginView() {
    document.getElementById("nav").hidden = true;
    document.getElementById("who").hidden = true;
    const key = el("input", { type: "password", id: "api-key", name: "api_key", autocomplete: "off", required: true });
    const form = el("form", { id: "login-form", class: "stack", onsubmit: async ev => {
      ev.preventDefault();
      try {
        const r = await fetch("/console/login", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ api_key: key.value })
        });
        key.value = "";
        const body = await r.json();
        if (!r.ok) {
          message("login-error", body.detail || body.title, true);
          return;
        }
        session = body;
        location.hash = "#/overview";
      } catch (e) {
        message("login-error", e.message, true);
      }
    } },
      el("label", {}, "API key of your client", key),
      el("button", { type: "submit", id: "login-button", text: "Log in" }),
      el("p", { id: "login-error" }));
    show(el("h1", { text: "Log in" }),
      el("p", { class: "muted", text: "The key is sent once; the console then uses a session cookie. The key is not stored in the browser." }),
      form);
    key.focus();
  }

  async function logout() {
    try {
      await api("/console/logout", { method: "POST" });
    } catch (e) {
      // the session may have ended already
    }
    session = null;
    location.hash = "#/login";
  }

  // ------------------------------------------------------------------ overview
  async function overviewView() {
    const o = await api("/api/v1/overview");
    const amounts = a => Object.entries(a || {}).map(([c, v]) => v + " " + c).join(", ");
    const cards = el("div", { class: "cards" },
      card("Payouts", o.total, o.scope === "own" ? "yours" : "all clients"),
      card("Need attention", el("a", { href: "#/attention", id: "attention-count", text: String(o.needs_attention) })),
      card("Oldest UNKNOWN", seconds(o.oldest_unknown_seconds)),
      card("Oldest SUBMITTED", seconds(o.oldest_submitted_seconds)));
    const stateRows = o.states.map(s => el("tr", {},
      el("td", {}, el("a", { href: "#/payouts?state=" + s.state, class: "state state-" + s.state, text: s.state })),
      td(s.count, "num"), td(amounts(s.amounts))));
    const accountRows = o.accounts.map(a => el("tr", {},
      el("td", {}, el("a", { href: "#/payouts?account=" + encodeURIComponent(a.account), text: a.account })),
      el("td", {}, el("span", { class: "circuit-" + a.circuit, text: a.circuit || "not configured" })),
      td(a.rate_limit === undefined ? "" : a.rate_limit + "/s", "num"),
      td(a.max_concurrent, "num"),
      td(a.count, "num"),
      td(STATES.filter(s => a.states[s]).map(s => s + " " + a.states[s]).join(", ")),
      td(amounts(a.amounts))));
    show(el("h1", { id: "overview-title", text: "Overview" }),
      el("p", { class: "muted", text: "As of " + when(o.as_of) }),
      cards,
      chart(o.states),
      el("h2", { text: "By state" }),
      table("states-table", ["State", "Payouts", "Amount"], stateRows),
      el("h2", { text: "By provider account" }),
      table("accounts-table", ["Account", "Circuit", "Rate limit", "Concurrent", "Payouts", "States", "Amount"], accountRows),
      el("h2", { text: "Intakes" }),
      table("intakes-table", ["Intake", "Route", "Status", "Files being read"], (o.intakes || []).map(i => el("tr", {},
        td(i.intake), td(i.route), td(i.status), td(i.files_reading === undefined ? "" : i.files_reading, "num")))));
  }

  function card(title, figure, note) {
    return el("div", { class: "card" }, el("div", { class: "muted", text: title }),
      el("div", { class: "figure" }, typeof figure === "object" ? figure : String(figure)),
      note ? el("div", { class: "muted", text: note }) : null);
  }

  /** A bar chart of payouts per state, as inline SVG. */
  function chart(states) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    const w = 90, h = 140, top = 16, bottom = 20;
    const max = Math.max(1, ...states.map(s => s.count));
    svg.setAttribute("class", "chart");
    svg.setAttribute("id", "state-chart");
    svg.setAttribute("width", String(states.length * w));
    svg.setAttribute("height", String(h + top + bottom));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "payouts per state");
    states.forEach((s, i) => {
      const bh = Math.round((s.count / max) * h);
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", String(i * w + 15));
      rect.setAttribute("y", String(top + h - bh));
      rect.setAttribute("width", String(w - 30));
      rect.setAttribute("height", String(Math.max(bh, 1)));
      rect.setAttribute("class", "bar-" + s.state);
      svg.appendChild(rect);
      const count = document.createElementNS(ns, "text");
      count.setAttribute("x", String(i * w + w / 2));
      count.setAttribute("y", String(top + h - bh - 3));
      count.setAttribute("text-anchor", "middle");
      count.textContent = String(s.count);
      svg.appendChild(count);
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", String(i * w + w / 2));
      label.setAttribute("y", String(top + h + 14));
      label.setAttribute("text-anchor", "middle");
      label.textContent = s.state;
      svg.appendChild(label);
    });
    return svg;
  }

  // ------------------------------------------------------------------ payouts
  const FILTERS = [
    ["reference", "Reference", "text"], ["provider_reference", "Provider reference", "text"],
    ["file", "File", "text"], ["erp_row", "ERP row", "text"], ["account", "Account", "text"],
    ["state", "State", "state"], ["since", "Created since (ISO)", "text"], ["until", "Created before (ISO)", "text"],
    ["min_amount", "Min amount", "text"], ["max_amount", "Max amount", "text"]];

  async function payoutsView(r) {
    const params = r.params;
    const form = el("form", { id: "search-form", class: "filters", onsubmit: ev => {
      ev.preventDefault();
      const q = new URLSearchParams();
      for (const [name] of FILTERS) {
        const v = form.elements[name].value.trim();
        if (v) q.set(name, v);
      }
      location.hash = "#/payouts?" + q.toString();
    } },
      FILTERS.map(([name, label, kind]) => el("label", {}, label, kind === "state"
        ? el("select", { name: name, id: "filter-" + name }, el("option", { value: "", text: "any" }),
          STATES.map(s => el("option", { value: s, text: s, selected: params.get("state") === s })))
        : el("input", { name: name, id: "filter-" + name, value: params.get(name) || "", size: name === "reference" ? 20 : 12 }))),
      el("button", { type: "submit", id: "search-button", text: "Search" }));
    const query = new URLSearchParams();
    for (const [name] of FILTERS) if (params.get(name)) query.set(name, params.get(name));
    const page = Number(params.get("page") || 0);
    query.set("page", String(page));
    query.set("size", "50");
    const csv = new URLSearchParams(query);
    csv.delete("page");
    csv.delete("size");
    csv.set("format", "csv");
    const nodes = [el("h1", { text: "Payouts" }), form,
      el("p", {}, el("a", { href: "/api/v1/payouts/search?" + csv.toString(), id: "csv-link", download: "payouts.csv", text: "Export these as CSV" }))];
    try {
      const result = await api("/api/v1/payouts/search?" + query.toString());
      nodes.push(payoutTable("payouts-table", result.items), pager(result, "#/payouts", params));
    } catch (e) {
      nodes.push(el("p", { class: "error", id: "search-error", text: e.message }));
    }
    show(...nodes);
  }

  function payoutTable(id, items) {
    return table(id, ["Reference", "State", "Account", "Amount", "Intake", "Provider reference", "Message", "Created"],
      items.map(p => el("tr", {},
        el("td", {}, storyLink(p.reference)), stateCell(p.status), td(p.provider),
        td((p.amount || "") + " " + (p.currency || ""), "num"),
        td(p.intake + (p.intake_ref ? " " + p.intake_ref : "")), td(p.provider_reference), td(p.message),
        td(when(p.created_at)))));
  }

  function pager(result, base, params) {
    const page = result.page;
    const last = Math.max(0, Math.ceil(result.total / result.size) - 1);
    const link = (p, text) => {
      const q = new URLSearchParams(params);
      q.set("page", String(p));
      return el("a", { href: base + "?" + q.toString(), text: text });
    };
    return el("div", { class: "pager" },
      page > 0 ? link(page - 1, "« previous") : null,
      el("span", { class: "muted", text: result.total + " found, page " + (page + 1) + " of " + (last + 1) }),
      page < last ? link(page + 1, "next »") : null);
  }

  // ------------------------------------------------------------------ story
  async function storyView(r) {
    const reference = r.arg;
    const s = await api("/api/v1/payouts/" + encodeURIComponent(reference) + "/story");
    const p = s.payout;
    const fields = ["reference", "status", "provider", "country", "amount", "currency", "beneficiary_name",
      "account_number", "bank_code", "account_type", "mobile", "email", "id_number", "remark", "callback_url",
      "intake", "intake_ref", "provider_reference", "provider_status", "message", "needs_attention",
      "created_at", "updated_at"];
    const dl = el("dl", { class: "fields", id: "story-fields" });
    for (const f of fields) {
      if (p[f] === undefined || p[f] === null) continue;
      dl.appendChild(el("dt", { text: f }));
      dl.appendChild(f === "status" ? el("dd", {}, el("span", { id: "story-state", class: "state state-" + p.status, text: p.status }))
        : el("dd", { id: "field-" + f, text: String(p[f]) }));
    }
    const nodes = [el("h1", {}, "Payout ", el("span", { id: "story-reference", text: p.reference })),
      el("p", { id: "action-message" }), actionsPanel(s), dl];
    nodes.push(el("h2", { text: "State history" }),
      table("story-history", ["At", "From", "To", "Provider code", "Message"],
        s.history.map(h => el("tr", {}, td(when(h.at)), td(h.from), td(h.to), td(h.provider_code), td(h.message)))));
    nodes.push(el("h2", { text: "Operator actions" }),
      table("story-actions", ["At", "Action", "State", "Status", "By", "Reason", "Evidence", "Decided by", "Outcome", ""],
        s.operator_actions.map(a => el("tr", {}, td(when(a.at)), td(a.action), td(a.target_state), td(a.status),
          td(a.client), td(a.reason), td(a.evidence), td(a.decided_by), td(a.outcome),
          el("td", {}, a.status === "PROPOSED" && has("approver") ? decisionButtons(a.id, () => storyView(r)) : null)))));
    nodes.push(rowsTable("Provider calls", "story-calls", s.provider_calls));
    nodes.push(rowsTable("Provider notifies", "story-notifies", s.notifies));
    nodes.push(rowsTable("Callback attempts", "story-callbacks", s.callbacks));
    show(...nodes);
  }

  function rowsTable(title, id, rows) {
    if (!rows.length) return el("div", {}, el("h2", { text: title }), el("p", { class: "muted", id: id, text: "none" }));
    const cols = Object.keys(rows[0]).filter(c => c !== "id");
    return el("div", {}, el("h2", { text: title }), table(id, cols,
      rows.map(row => el("tr", {}, cols.map(c => td(c === "at" ? when(row[c]) : row[c]))))));
  }

  function actionsPanel(s) {
    const ref = encodeURIComponent(s.payout.reference);
    const allowed = s.actions_allowed;
    const panel = el("div", { class: "actions", id: "story-action-buttons" });
    const act = async (path, body, done) => {
      try {
        const r = await api("/api/v1/payouts/" + ref + path, { method: "POST", body: body });
        message("action-message", (r.action ? r.action.action + ": " + r.action.status : "done")
          + (r.action && r.action.outcome ? " (" + r.action.outcome + ")" : ""), false);
        if (done) done();
        await storyView({ arg: s.payout.reference });
        message("action-message", (r.action ? r.action.action + ": " + r.action.status : "done"), false);
      } catch (e) {
        message("action-message", e.message, true);
      }
    };
    if (allowed.includes("query-now")) {
      panel.appendChild(el("button", { type: "button", id: "action-query-now", text: "Query now", onclick: () => act("/query-now") }));
    }
    if (allowed.includes("redeliver-callback")) {
      panel.appendChild(el("button", { type: "button", id: "action-redeliver", text: "Redeliver callback", onclick: () => act("/redeliver-callback") }));
    }
    if (allowed.includes("cancel")) {
      const reason = el("input", { id: "cancel-reason", placeholder: "reason", required: true });
      panel.appendChild(el("form", { id: "cancel-form", onsubmit: ev => { ev.preventDefault(); act("/cancel", { reason: reason.value }); } },
        reason, el("button", { type: "submit", id: "action-cancel", text: "Cancel payout" })));
    }
    if (allowed.includes("resend")) {
      const said = el("input", { id: "resend-provider-said", placeholder: "what the provider said", required: true, size: 30 });
      panel.appendChild(el("form", { id: "resend-form", onsubmit: ev => { ev.preventDefault(); act("/resend", { provider_said: said.value }); } },
        said, el("button", { type: "submit", id: "action-resend", text: "Resend (same reference)" })));
    }
    if (allowed.includes("propose-settlement")) {
      const state = el("select", { id: "settle-state", name: "state" },
        el("option", { value: "SUCCESS", text: "SUCCESS" }), el("option", { value: "FAILED", text: "FAILED" }));
      const reason = el("input", { id: "settle-reason", name: "reason", required: true, size: 30 });
      const evidence = el("input", { id: "settle-evidence", name: "evidence", required: true, size: 30 });
      panel.appendChild(el("form", { id: "settle-form", class: "stack", onsubmit: ev => {
        ev.preventDefault();
        act("/settlements", { state: state.value, reason: reason.value, evidence: evidence.value });
      } },
        el("strong", { text: "Propose a settlement by hand (another client approves it)" }),
        el("label", {}, "State", state), el("label", {}, "Reason", reason), el("label", {}, "Evidence", evidence),
        el("button", { type: "submit", id: "settle-submit", text: "Propose settlement" })));
    }
    if (!panel.children.length) {
      panel.appendChild(el("span", { class: "muted", text: has("operator") ? "No operator action fits this state." : "" }));
    }
    return panel;
  }

  function decisionButtons(id, after) {
    const decide = async (what, body) => {
      try {
        const r = await api("/api/v1/settlements/" + id + "/" + what, { method: "POST", body: body });
        await after();
        message("action-message", "settlement " + id + ": " + r.action.status, false);
      } catch (e) {
        message("action-message", e.message, true);
      }
    };
    return el("span", { class: "actions" },
      el("button", { type: "button", class: "approve", "data-id": id, id: "approve-" + id, text: "Approve", onclick: () => decide("approve") }),
      el("button", { type: "button", class: "reject", "data-id": id, id: "reject-" + id, text: "Reject", onclick: () => {
        const reason = window.prompt("Why is it rejected?");
        if (reason !== null) decide("reject", { reason: reason });
      } }));
  }

  // ------------------------------------------------------------------ settlements
  async function settlementsView() {
    const s = await api("/api/v1/settlements");
    show(el("h1", { text: "Settlements waiting for approval" }), el("p", { id: "action-message" }),
      s.items.length ? table("settlements-table", ["Id", "Payout", "State", "Proposed by", "At", "Reason", "Evidence", ""],
        s.items.map(a => el("tr", {}, td(a.id, "num"), el("td", {}, storyLink(a.reference)), td(a.state), td(a.client),
          td(when(a.at)), td(a.reason), td(a.evidence),
          el("td", {}, has("approver") ? decisionButtons(a.id, settlementsView) : null))))
        : el("p", { class: "muted", id: "settlements-none", text: "None waiting." }));
  }

  // ------------------------------------------------------------------ attention
  async function attentionView() {
    const a = await api("/api/v1/attention?size=200");
    show(el("h1", { text: "Needs attention" }),
      el("p", { class: "muted", text: "UNKNOWN payouts flagged by the gateway or whose next status query is overdue, oldest first." }),
      a.items.length ? table("attention-table", ["Reference", "Account", "Amount", "Unknown for", "Queries", "Next query", "Why", "Provider's last message"],
        a.items.map(p => el("tr", {}, el("td", {}, storyLink(p.reference)), td(p.provider),
          td((p.amount || "") + " " + (p.currency || ""), "num"), td(seconds(p.unknown_seconds)), td(p.query_count, "num"),
          td(when(p.next_query_at)), td(p.why), td(p.last_provider_message))))
        : el("p", { class: "muted", id: "attention-none", text: "Nothing needs attention." }));
  }

  // ------------------------------------------------------------------ files and ERP
  async function filesView() {
    const f = await api("/api/v1/files?size=100");
    show(el("h1", { text: "Files" }),
      table("files-table", ["Id", "Name", "State", "Rows", "Stored", "Rejected", "Duplicate", "Sent", "Final", "Received", "Result"],
        f.items.map(x => el("tr", {}, td(x.id, "num"),
          el("td", {}, el("a", { href: "#/payouts?file=" + encodeURIComponent(x.name), text: x.name })),
          td(x.state), td(x.row_count, "num"), td(x.stored, "num"), td(x.rejected, "num"), td(x.duplicate, "num"),
          td(x.sent, "num"), td(x.final, "num"), td(when(x.received_at)),
          el("td", {}, x.result ? el("a", { href: x.result, download: x.result_name, text: x.result_name }) : null)))));
  }

  async function erpView(r) {
    const page = Number(r.params.get("page") || 0);
    const e = await api("/api/v1/erp-rows?size=50&page=" + page);
    show(el("h1", { text: "ERP rows" }),
      table("erp-table", ["ERP row", "Reference", "State", "Account", "Amount", "Provider reference", "Message", "Created"],
        e.items.map(p => el("tr", {}, td(p.erp_row), el("td", {}, storyLink(p.reference)), stateCell(p.status),
          td(p.provider), td((p.amount || "") + " " + (p.currency || ""), "num"), td(p.provider_reference), td(p.message),
          td(when(p.created_at))))),
      pager(e, "#/erp", r.params));
  }

  // ------------------------------------------------------------------ audit
  async function auditView(r) {
    if (!session.reads_audit) {
      show(el("h1", { text: "Audit" }), el("p", { class: "muted", text: "Your client may not read the audit trail (roles operator, viewer)." }));
      return;
    }
    const params = r.params;
    const q = new URLSearchParams();
    for (const n of ["client", "action", "since", "page"]) if (params.get(n)) q.set(n, params.get(n));
    q.set("size", "100");
    const a = await api("/api/v1/audit?" + q.toString());
    const client = el("input", { name: "client", value: params.get("client") || "" });
    const action = el("input", { name: "action", value: params.get("action") || "" });
    const form = el("form", { class: "filters", id: "audit-form", onsubmit: ev => {
      ev.preventDefault();
      const n = new URLSearchParams();
      if (client.value.trim()) n.set("client", client.value.trim());
      if (action.value.trim()) n.set("action", action.value.trim());
      location.hash = "#/audit?" + n.toString();
    } }, el("label", {}, "Client", client), el("label", {}, "Action", action), el("button", { type: "submit", text: "Filter" }));
    show(el("h1", { text: "Audit trail" }), form,
      table("audit-table", ["At", "Client", "Action", "Reference", "Outcome", "Status", "Source", "Detail"],
        a.items.map(x => el("tr", {}, td(when(x.at)), td(x.client), td(x.action),
          el("td", {}, x.reference ? storyLink(x.reference) : null), td(x.outcome), td(x.status, "num"), td(x.source), td(x.detail)))),
      pager(a, "#/audit", params));
  }

  // ------------------------------------------------------------------ start
  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("logout").addEventListener("click", logout);
    window.addEventListener("hashchange", route);
    route();
  });
})();
