// Buckets: the list (ListBuckets, each bucket's classification from HeadBucket), and creation
// with a classification, whose placement explanation is shown BEFORE the bucket is created.

import { admin, call, callXML, describe, objectPath } from "./api.js";
import { fill, formatDate, h, notice, table } from "./ui.js";

const CLASSIFICATIONS = ["internal", "public", "personal", "health", "sensitive", "public-archives"];

export async function bucketsPage(container) {
  const list = h("div", { id: "bucket-list" }, "Loading…");
  container.append(createForm(() => loadBuckets(list)), h("h2", {}, "Your buckets"), list);
  await loadBuckets(list);
}

async function loadBuckets(list) {
  let doc;
  try {
    doc = await callXML({ path: "/" });
  } catch (error) {
    fill(list, notice("error", describe(error)));
    return;
  }
  const buckets = [...doc.querySelectorAll("Buckets > Bucket")].map((b) => ({
    name: b.querySelector("Name").textContent,
    created: b.querySelector("CreationDate")?.textContent,
  }));
  if (!buckets.length) return fill(list, h("p", { class: "muted" }, "No bucket yet."));
  const classCells = new Map();
  fill(list, table(["Bucket", "Classification", "Created", ""], buckets.map((b) => {
    const cell = h("span", { class: "muted" }, "…");
    classCells.set(b.name, cell);
    return [
      h("a", { href: `#/objects?bucket=${encodeURIComponent(b.name)}`, class: "bucket-link" }, b.name),
      cell,
      formatDate(b.created),
      h("a", { href: `#/settings?bucket=${encodeURIComponent(b.name)}` }, "Settings"),
    ];
  }), { id: "buckets-table" }));
  await Promise.all(buckets.map(async (b) => {
    try {
      const response = await call({ method: "HEAD", path: objectPath(b.name) });
      fill(classCells.get(b.name), response.headers.get("x-souverain-classification") || "—");
    } catch {
      fill(classCells.get(b.name), "—");
    }
  }));
}

function createForm(reload) {
  const name = h("input", { id: "new-bucket-name", required: true, spellcheck: "false", placeholder: "my-bucket" });
  const classification = h("select", { id: "new-bucket-classification" }, CLASSIFICATIONS.map((c) => h("option", { value: c }, c)));
  const objectLock = h("input", { id: "new-bucket-object-lock", type: "checkbox" });
  const explanation = h("div", { id: "placement-explanation", class: "explanation" });
  const result = h("div", { id: "create-result" });
  const create = h("button", { type: "submit", id: "create-bucket", disabled: true }, "Create bucket");
  let explained = null; // the classification whose explanation is showing

  async function explain() {
    explained = null;
    create.disabled = true;
    fill(explanation, "Asking where this classification may be stored…");
    try {
      const answer = await admin("GET", "placement/explain", { query: [["classification", classification.value]] });
      fill(explanation, renderExplanation(answer));
      if (answer.allowed !== false) {
        explained = classification.value;
        create.disabled = false;
      }
    } catch (error) {
      fill(explanation, notice("error", `Placement explanation unavailable: ${describe(error)}`));
      // The server still refuses a placement its rules forbid (PlacementViolation) at creation.
      explained = classification.value;
      create.disabled = false;
    }
  }

  classification.addEventListener("change", () => {
    explained = null;
    create.disabled = true;
    fill(explanation);
  });

  async function submit(event) {
    event.preventDefault();
    if (explained !== classification.value) return explain();
    create.disabled = true;
    const headers = { "x-souverain-classification": classification.value };
    if (objectLock.checked) headers["x-amz-bucket-object-lock-enabled"] = "true";
    try {
      await call({ method: "PUT", path: objectPath(name.value.trim()), headers });
      fill(result, notice("ok", `Bucket ${name.value.trim()} created (${classification.value}).`));
      name.value = "";
      fill(explanation);
      explained = null;
      await reload();
    } catch (error) {
      fill(result, notice("error", describe(error)));
      create.disabled = false;
    }
  }

  return h("form", { id: "create-bucket-form", class: "card", onsubmit: submit },
    h("h2", {}, "Create a bucket"),
    h("div", { class: "row" },
      h("label", {}, "Name ", name),
      h("label", {}, "Classification ", classification),
      h("label", { class: "inline" }, objectLock, " Object Lock")),
    h("div", { class: "row" },
      h("button", { type: "button", id: "explain-placement", onclick: explain }, "Explain placement"),
      create),
    explanation, result);
}

function renderExplanation(answer) {
  const rows = (answer.locations || []).map((l) => [
    l.name, l.provider || "", l.country || "", l.accepted ? "accepted" : "rejected",
    [...(l.reasons || []), ...(l.warnings || []).map((w) => `warning: ${w}`)].join("; "),
  ]);
  return h("div", {},
    h("p", { class: answer.allowed === false ? "notice error" : "notice ok" },
      answer.allowed === false ? `Data classified ${answer.classification} cannot be placed: ${answer.message || "no location accepts it"}. The bucket cannot be created.`
        : `Data classified ${answer.classification} may be placed${answer.eligibleOrder && answer.eligibleOrder.length ? ` at ${answer.eligibleOrder.join(", ")}` : ""}.`),
    rows.length ? table(["Location", "Provider", "Country", "Decision", "Reasons"], rows) : null,
    answer.summary ? h("details", {}, h("summary", {}, "The full explanation"), h("pre", { class: "summary" }, answer.summary)) : null);
}
