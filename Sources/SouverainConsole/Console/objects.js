// Objects of a bucket: prefix navigation (delimiter "/"), paging with continuation tokens, search
// by prefix, upload with a progress bar (multipart above 16 MiB, parts of 8 MiB, aborted on
// failure), download through a presigned URL, delete with confirmation.

import { call, callXML, describe, downloadURL, objectPath, putWithProgress } from "./api.js";
import { confirmButton, fill, formatBytes, formatDate, h, notice, table } from "./ui.js";

const PAGE_SIZE = 100;
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;

export async function objectsPage(container, params) {
  const bucket = params.get("bucket");
  if (!bucket) return container.append(notice("error", "No bucket named."));
  const prefix = params.get("prefix") || "";
  const state = { bucket, prefix, search: "", tokens: [""], page: 0 };
  const listing = h("div", { id: "object-list" });
  const status = h("div", { id: "object-status" });
  const search = h("input", { id: "search-prefix", type: "search", placeholder: "name starts with…", spellcheck: "false" });
  const reload = () => list(state, listing, status);

  container.append(
    h("p", { class: "crumbs", id: "crumbs" }, breadcrumbs(bucket, prefix)),
    h("p", {}, h("a", { href: `#/settings?bucket=${encodeURIComponent(bucket)}` }, "Bucket settings")),
    uploadForm(state, reload),
    h("form", { class: "row", id: "search-form", onsubmit: (e) => { e.preventDefault(); state.search = search.value; state.tokens = [""]; state.page = 0; reload(); } },
      h("label", {}, "Search ", search), h("button", { type: "submit", id: "search-button" }, "Search")),
    status, listing);
  await reload();
}

function navigate(bucket, prefix) {
  location.hash = `#/objects?bucket=${encodeURIComponent(bucket)}&prefix=${encodeURIComponent(prefix)}`;
}

function breadcrumbs(bucket, prefix) {
  const parts = prefix.split("/").filter(Boolean);
  const crumbs = [h("a", { href: "#/buckets" }, "Buckets"), " / ", h("a", { href: "#", onclick: (e) => { e.preventDefault(); navigate(bucket, ""); } }, bucket)];
  let path = "";
  for (const part of parts) {
    path += part + "/";
    const target = path;
    crumbs.push(" / ", h("a", { href: "#", onclick: (e) => { e.preventDefault(); navigate(bucket, target); } }, part));
  }
  return crumbs;
}

async function list(state, listing, status) {
  const query = [["list-type", "2"], ["delimiter", "/"], ["max-keys", String(PAGE_SIZE)], ["prefix", state.prefix + state.search]];
  const token = state.tokens[state.page];
  if (token) query.push(["continuation-token", token]);
  let doc;
  try {
    doc = await callXML({ path: objectPath(state.bucket), query });
  } catch (error) {
    fill(listing, notice("error", describe(error)));
    return;
  }
  fill(status);
  const folders = [...doc.querySelectorAll("CommonPrefixes > Prefix")].map((p) => p.textContent);
  const objects = [...doc.querySelectorAll("Contents")].map((c) => ({
    key: c.querySelector("Key").textContent,
    size: c.querySelector("Size")?.textContent,
    modified: c.querySelector("LastModified")?.textContent,
  }));
  const next = doc.querySelector("NextContinuationToken")?.textContent;
  const truncated = doc.querySelector("IsTruncated")?.textContent === "true";
  const reload = () => list(state, listing, status);
  const rows = [
    ...folders.map((folder) => [
      h("a", { href: "#", class: "folder", onclick: (e) => { e.preventDefault(); navigate(state.bucket, folder); } }, folder.slice(state.prefix.length)),
      "folder", "", "",
    ]),
    ...objects.map((o) => [
      h("span", { class: "key" }, o.key.slice(state.prefix.length)),
      formatBytes(o.size), formatDate(o.modified),
      h("span", { class: "actions" },
        h("button", { type: "button", class: "download", "data-key": o.key, onclick: () => download(state.bucket, o.key, status) }, "Download"), " ",
        confirmButton("Delete", `Delete ${o.key}?`, async () => {
          let outcome;
          try {
            await call({ method: "DELETE", path: objectPath(state.bucket, o.key) });
            outcome = notice("ok", `Deleted ${o.key}.`);
          } catch (error) {
            outcome = notice("error", describe(error));
          }
          await reload(); // clears the status line: the outcome goes there after
          fill(status, outcome);
        }, { "data-key": o.key })),
    ]),
  ];
  const pager = h("div", { class: "row pager" },
    h("button", { type: "button", id: "previous-page", disabled: state.page === 0, onclick: () => { state.page -= 1; reload(); } }, "Previous page"),
    h("span", { class: "muted" }, `Page ${state.page + 1}`),
    h("button", { type: "button", id: "next-page", disabled: !truncated || !next, onclick: () => { state.tokens[state.page + 1] = next; state.page += 1; reload(); } }, "Next page"));
  fill(listing, rows.length ? table(["Name", "Size", "Last modified", ""], rows, { id: "objects-table" }) : h("p", { class: "muted" }, "Nothing here."), pager);
}

async function download(bucket, key, status) {
  try {
    const link = h("a", { href: await downloadURL(bucket, key), download: key.split("/").pop(), hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    fill(status, notice("error", describe(error)));
  }
}

function uploadForm(state, reload) {
  const file = h("input", { type: "file", id: "upload-file" });
  const bar = h("progress", { id: "upload-progress", max: "100", value: "0", hidden: true });
  const text = h("span", { id: "upload-text", class: "muted" });
  const result = h("div", { id: "upload-result" });
  const button = h("button", { type: "submit", id: "upload-button" }, "Upload");

  async function submit(event) {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    const key = state.prefix + chosen.name;
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    fill(result);
    const progress = (sent) => {
      const percent = chosen.size ? Math.min(100, (sent / chosen.size) * 100) : 100;
      bar.value = percent;
      bar.setAttribute("data-sent", String(sent));
      text.textContent = `${formatBytes(sent)} of ${formatBytes(chosen.size)} (${Math.floor(percent)} %)`;
    };
    try {
      if (chosen.size > MULTIPART_THRESHOLD) await uploadMultipart(state.bucket, key, chosen, progress);
      else await putWithProgress(objectPath(state.bucket, key), [], chosen, progress, { "content-type": chosen.type || "application/octet-stream" });
      fill(result, notice("ok", `Uploaded ${key} (${formatBytes(chosen.size)}).`));
      file.value = "";
      await reload();
    } catch (error) {
      fill(result, notice("error", `Upload failed: ${describe(error)}`));
    } finally {
      button.disabled = false;
    }
  }

  return h("form", { id: "upload-form", class: "card", onsubmit: submit },
    h("h2", {}, "Upload"), h("div", { class: "row" }, file, button), h("div", { class: "row" }, bar, text), result);
}

/** CreateMultipartUpload, 8 MiB parts one after another, Complete; Abort on any failure. */
async function uploadMultipart(bucket, key, blob, progress) {
  const path = objectPath(bucket, key);
  const created = await callXML({ method: "POST", path, query: [["uploads", ""]], headers: { "content-type": blob.type || "application/octet-stream" } });
  const uploadId = created.querySelector("UploadId").textContent;
  const parts = [];
  try {
    for (let offset = 0, number = 1; offset < blob.size; offset += PART_SIZE, number += 1) {
      const part = blob.slice(offset, Math.min(offset + PART_SIZE, blob.size));
      const base = offset;
      const etag = await putWithProgress(path, [["partNumber", String(number)], ["uploadId", uploadId]], part, (sent) => progress(base + sent));
      parts.push([number, etag]);
    }
    const body = "<CompleteMultipartUpload>"
      + parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${escapeXML(etag || "")}</ETag></Part>`).join("")
      + "</CompleteMultipartUpload>";
    const answer = await call({ method: "POST", path, query: [["uploadId", uploadId]], body, headers: { "content-type": "application/xml" } });
    // CompleteMultipartUpload may answer 200 with an error document.
    const text = await answer.text();
    if (text.includes("<Error>")) throw new Error(new DOMParser().parseFromString(text, "application/xml").querySelector("Message")?.textContent || "the upload did not complete");
  } catch (error) {
    await call({ method: "DELETE", path, query: [["uploadId", uploadId]] }).catch(() => {});
    throw error;
  }
}

export function escapeXML(text) {
  return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]);
}
