// A bucket's settings: versioning, Object Lock's default retention, lifecycle (XML), policy
// (JSON, checked before it is sent), CORS (XML); each read from and written to the S3 API.

import { call, callXML, describe, objectPath } from "./api.js";
import { confirmButton, fill, h, notice } from "./ui.js";

export async function settingsPage(container, params) {
  const bucket = params.get("bucket");
  if (!bucket) return container.append(notice("error", "No bucket named."));
  container.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/buckets" }, "Buckets"), " / ",
      h("a", { href: `#/objects?bucket=${encodeURIComponent(bucket)}` }, bucket), " / settings"),
    versioningCard(bucket), objectLockCard(bucket),
    documentCard(bucket, "policy", "Policy (JSON)", "NoSuchBucketPolicy", POLICY_TEMPLATE(bucket), "application/json", (text) => JSON.parse(text)),
    documentCard(bucket, "lifecycle", "Lifecycle (XML)", "NoSuchLifecycleConfiguration", LIFECYCLE_TEMPLATE, "application/xml", checkXML),
    documentCard(bucket, "cors", "CORS (XML)", "NoSuchCORSConfiguration", CORS_TEMPLATE, "application/xml", checkXML),
    deleteCard(bucket));
}

const POLICY_TEMPLATE = (bucket) => JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } } }],
}, null, 2);
const LIFECYCLE_TEMPLATE = `<LifecycleConfiguration>
  <Rule><ID>expire-tmp</ID><Status>Enabled</Status><Filter><Prefix>tmp/</Prefix></Filter><Expiration><Days>7</Days></Expiration></Rule>
</LifecycleConfiguration>`;
const CORS_TEMPLATE = `<CORSConfiguration>
  <CORSRule><AllowedOrigin>https://app.example.org</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>
</CORSConfiguration>`;

function checkXML(text) {
  const doc = new DOMParser().parseFromString(text, "application/xml");
  if (doc.querySelector("parsererror")) throw new Error("The XML is not well-formed.");
}

function versioningCard(bucket) {
  const state = h("span", { id: "versioning-status" }, "…");
  const result = h("div");
  async function load() {
    try {
      const doc = await callXML({ path: objectPath(bucket), query: [["versioning", ""]] });
      fill(state, doc.querySelector("Status")?.textContent || "Never enabled");
    } catch (error) {
      fill(state, describe(error));
    }
  }
  async function set(status) {
    try {
      await call({ method: "PUT", path: objectPath(bucket), query: [["versioning", ""]], headers: { "content-type": "application/xml" },
        body: `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>` });
      fill(result, notice("ok", `Versioning ${status.toLowerCase()}.`));
    } catch (error) {
      fill(result, notice("error", describe(error)));
    }
    await load();
  }
  load();
  return h("section", { class: "card", id: "versioning" }, h("h2", {}, "Versioning"),
    h("p", {}, "Status: ", state),
    h("div", { class: "row" },
      h("button", { type: "button", id: "versioning-enable", onclick: () => set("Enabled") }, "Enable"),
      h("button", { type: "button", id: "versioning-suspend", onclick: () => set("Suspended") }, "Suspend")),
    result);
}

function objectLockCard(bucket) {
  const body = h("div", {}, "…");
  async function load() {
    let doc;
    try {
      doc = await callXML({ path: objectPath(bucket), query: [["object-lock", ""]] });
    } catch (error) {
      if (error.code === "ObjectLockConfigurationNotFoundError") {
        return fill(body, h("p", { class: "muted" }, "Object Lock is not enabled on this bucket (it is turned on when a bucket is created)."));
      }
      return fill(body, notice("error", describe(error)));
    }
    const mode = h("select", { id: "lock-mode" }, ["GOVERNANCE", "COMPLIANCE"].map((m) => h("option", { value: m }, m)));
    const days = h("input", { id: "lock-days", type: "number", min: "1", value: "1" });
    mode.value = doc.querySelector("DefaultRetention > Mode")?.textContent || "GOVERNANCE";
    days.value = doc.querySelector("DefaultRetention > Days")?.textContent || "";
    const result = h("div");
    const years = doc.querySelector("DefaultRetention > Years")?.textContent;
    const current = doc.querySelector("DefaultRetention")
      ? `Enabled. Default retention: ${mode.value} for ${days.value ? `${days.value} days` : `${years} years`}.`
      : "Enabled, no default retention.";
    fill(body, h("p", { id: "lock-current" }, current),
      h("form", { class: "row", onsubmit: async (event) => {
        event.preventDefault();
        const retention = days.value ? `<Rule><DefaultRetention><Mode>${mode.value}</Mode><Days>${Number(days.value)}</Days></DefaultRetention></Rule>` : "";
        try {
          await call({ method: "PUT", path: objectPath(bucket), query: [["object-lock", ""]], headers: { "content-type": "application/xml" },
            body: `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${retention}</ObjectLockConfiguration>` });
          await load();
        } catch (error) {
          fill(result, notice("error", describe(error)));
        }
      } }, h("label", {}, "Mode ", mode), h("label", {}, "Days ", days), h("button", { type: "submit" }, "Save default retention")),
      result);
  }
  load();
  return h("section", { class: "card", id: "object-lock" }, h("h2", {}, "Object Lock"), body);
}

/** A document subresource (policy, lifecycle, cors): read, edit, check, save, delete. */
function documentCard(bucket, name, title, absentCode, template, contentType, check) {
  const editor = h("textarea", { id: `${name}-editor`, rows: "10", spellcheck: "false" });
  const state = h("p", { class: "muted", id: `${name}-state` });
  const result = h("div", { id: `${name}-result` });
  const query = [[name, ""]];
  async function load() {
    try {
      const text = await (await call({ path: objectPath(bucket), query })).text();
      editor.value = name === "policy" ? pretty(text) : text;
      fill(state, "Current setting:");
    } catch (error) {
      if (error.code === absentCode) {
        editor.value = template;
        fill(state, "None set. An example to start from:");
      } else {
        fill(state, describe(error));
      }
    }
  }
  async function save(event) {
    event.preventDefault();
    try {
      check(editor.value);
    } catch (error) {
      return fill(result, notice("error", `Not saved: ${error.message}`));
    }
    try {
      await call({ method: "PUT", path: objectPath(bucket), query, body: editor.value, headers: { "content-type": contentType } });
      fill(result, notice("ok", "Saved."));
      await load();
    } catch (error) {
      fill(result, notice("error", describe(error)));
    }
  }
  load();
  return h("form", { class: "card", id: `${name}-card`, onsubmit: save }, h("h2", {}, title), state, editor,
    h("div", { class: "row" }, h("button", { type: "submit", id: `${name}-save` }, "Save"),
      confirmButton("Delete", `Remove the bucket's ${name}?`, async () => {
        try {
          await call({ method: "DELETE", path: objectPath(bucket), query });
          fill(result, notice("ok", "Removed."));
        } catch (error) {
          fill(result, notice("error", describe(error)));
        }
        await load();
      })),
    result);
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function deleteCard(bucket) {
  const result = h("div");
  return h("section", { class: "card" }, h("h2", {}, "Delete this bucket"),
    h("p", { class: "muted" }, "Only an empty bucket can be deleted."),
    confirmButton("Delete bucket", `Delete ${bucket} for good?`, async () => {
      try {
        await call({ method: "DELETE", path: objectPath(bucket) });
        location.hash = "#/buckets";
      } catch (error) {
        fill(result, notice("error", describe(error)));
      }
    }), result);
}
