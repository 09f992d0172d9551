// The audit trail for auditors and admins: records searched and filtered through
// GET /_souverain/audit/records, the trail's verification status (GET /_souverain/audit/verify),
// and the compliance report (GET /_souverain/report) when the server makes one.

import { admin, describe } from "./api.js";
import { fill, formatBytes, h, notice, renderJSON, table } from "./ui.js";

const FILTERS = [
  ["bucket", "Bucket"], ["key", "Key"], ["user", "User"], ["operation", "Operation"], ["country", "Country"],
];

export async function auditPage(container) {
  const verification = h("div", { id: "audit-verification" }, "Verifying the trail…");
  const fields = Object.fromEntries(FILTERS.map(([name]) => [name, h("input", { id: `audit-${name}`, spellcheck: "false" })]));
  const since = h("input", { id: "audit-since", type: "datetime-local" });
  const until = h("input", { id: "audit-until", type: "datetime-local" });
  const search = h("input", { id: "audit-search", type: "search", placeholder: "any text in a record", spellcheck: "false" });
  const limit = h("input", { id: "audit-limit", type: "number", min: "1", max: "10000", value: "500" });
  const results = h("div", { id: "audit-results" });

  async function load(event) {
    if (event) event.preventDefault();
    const query = [];
    for (const [name] of FILTERS) if (fields[name].value.trim()) query.push([name, fields[name].value.trim()]);
    if (since.value) query.push(["since", new Date(since.value).toISOString()]);
    if (until.value) query.push(["until", new Date(until.value).toISOString()]);
    // The trail answers oldest first: ask for as many as it gives and show the newest.
    query.push(["limit", "10000"]);
    const most = Number(limit.value) || 500;
    fill(results, "Loading…");
    let records;
    try {
      records = (await admin("GET", "audit/records", { query })) || [];
    } catch (error) {
      fill(results, notice("error", describe(error)));
      return;
    }
    const needle = search.value.trim().toLowerCase();
    const shown = records.filter((r) => r.kind !== "checkpoint" && r.operation)
      .filter((r) => !needle || JSON.stringify(r).toLowerCase().includes(needle))
      .reverse()
      .slice(0, most);
    fill(results,
      h("p", { class: "muted" }, `${shown.length} record(s), newest first.`),
      table(["#", "Time", "User", "Operation", "Bucket", "Key", "Status", "Bytes in", "Bytes out", "Detail"], shown.map((r) => [
        String(r.sequence), r.time, r.user || "anonymous", r.operation, r.bucket || "", r.key || "",
        r.errorCode ? `${r.status} ${r.errorCode}` : String(r.status ?? ""), formatBytes(r.bytesIn), formatBytes(r.bytesOut), r.detail || "",
      ]), { id: "audit-table" }));
  }

  container.append(
    h("section", { class: "card" }, h("h2", {}, "Verification"), verification),
    h("form", { class: "card", id: "audit-form", onsubmit: load },
      h("h2", {}, "Search"),
      h("div", { class: "row wrap" }, FILTERS.map(([name, label]) => h("label", {}, `${label} `, fields[name])),
        h("label", {}, "Since ", since), h("label", {}, "Until ", until), h("label", {}, "Show at most ", limit)),
      h("div", { class: "row" }, h("label", {}, "Containing ", search), h("button", { type: "submit", id: "audit-apply" }, "Search"))),
    results);
  verify(verification);
  await load();
}

async function verify(element) {
  try {
    const answer = await admin("GET", "audit/verify");
    const trails = answer.trails || [];
    const failures = trails.flatMap((t) => (t.failures || []).map((f) => `${t.id}: ${typeof f === "string" ? f : JSON.stringify(f)}`));
    fill(element,
      h("p", { class: answer.valid ? "notice ok" : "notice error", id: "audit-valid" },
        answer.valid ? "The trail verifies: every record is chained and every checkpoint signature holds."
          : "The trail does NOT verify: see the failures below."),
      table(["Trail", "Records", "Last sequence"], trails.map((t) => [t.id, String(t.records), String(t.lastSequence)])),
      failures.length ? h("ul", {}, failures.map((f) => h("li", {}, f))) : null);
  } catch (error) {
    fill(element, notice("error", `Verification unavailable: ${describe(error)}`));
  }
}

export async function reportPage(container) {
  const body = h("div", { id: "report" }, "Making the report…");
  container.append(body);
  try {
    const report = await admin("GET", "report");
    const summary = Object.entries(report || {}).filter(([, v]) => v === null || typeof v !== "object");
    fill(body,
      summary.length ? table(["Field", "Value"], summary.map(([k, v]) => [k, String(v)])) : null,
      h("details", { open: true }, h("summary", {}, "The whole report (report.json)"), renderJSON(report)));
  } catch (error) {
    fill(body, notice("error", `Unavailable: ${describe(error)}`));
  }
}
