// Admin pages: users (the secret shown once), roles, grants, locations (health, checks) and keys
// (rotation after a confirmation step). Each calls the admin API (docs/admin-api.md); a call the
// server does not offer shows "unavailable" with the server's words instead of failing the page.

import { admin, describe } from "./api.js";
import { confirmButton, fill, h, notice, renderJSON, table } from "./ui.js";

function unavailable(error) {
  return notice("error", `Unavailable: ${describe(error)}`);
}

// Loads a list into a new element and resolves to its reload. A page's form keeps that promise
// (`listReady`) and awaits it before reloading: a form sent while the page still loads refreshes
// the list after that first load, not before it (which would show the list without the new entry).
async function section(container, id, load) {
  const body = h("div", { id });
  container.append(body);
  const reload = async () => {
    try {
      await load(body, reload);
    } catch (error) {
      fill(body, unavailable(error));
    }
  };
  await reload();
  return reload;
}

export async function usersPage(container) {
  const shown = h("div", { id: "new-user-secret" });
  let listReady = Promise.resolve(async () => {});
  const name = h("input", { id: "new-user-name", required: true, spellcheck: "false" });
  const role = h("select", { id: "new-user-role" }, ["user", "auditor", "admin"].map((r) => h("option", { value: r }, r)));
  container.append(h("form", { class: "card", id: "create-user-form", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const user = await admin("POST", "users", { body: { name: name.value.trim(), role: role.value } });
      fill(shown, h("div", { class: "notice ok secret" },
        h("p", {}, `User ${user.name} (${user.role}) created. Copy the secret now: it is never shown again.`),
        h("p", {}, "Access key: ", h("code", { id: "created-access-key" }, user.accessKeyId)),
        h("p", {}, "Secret: ", h("code", { id: "created-secret" }, user.secretAccessKey))));
      name.value = "";
      await (await listReady)();
    } catch (error) {
      fill(shown, notice("error", describe(error)));
    }
  } }, h("h2", {}, "Create a user"), h("div", { class: "row" }, h("label", {}, "Name ", name), h("label", {}, "Role ", role),
    h("button", { type: "submit", id: "create-user" }, "Create")), shown));
  listReady = section(container, "users-list", async (body, reload) => {
    const { users } = await admin("GET", "users");
    fill(body, table(["Name", "Role", "Access key", ""], users.map((u) => [u.name, u.role, h("code", {}, u.accessKeyId),
      confirmButton("Remove", `Remove ${u.name}? Their keys stop working at once.`, async () => {
        try {
          await admin("DELETE", "users", { query: [["name", u.name]] });
        } catch (error) {
          body.prepend(notice("error", describe(error)));
          return;
        }
        await reload();
      })])));
  });
  await listReady;
}

export async function rolesPage(container) {
  const name = h("input", { id: "new-role-name", required: true });
  const trust = h("textarea", { id: "new-role-trust", rows: "6", spellcheck: "false" },
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::souverain:user/alice" }, Action: "sts:AssumeRole" }] }, null, 2));
  const permissions = h("textarea", { id: "new-role-permissions", rows: "6", spellcheck: "false" },
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }] }, null, 2));
  const seconds = h("input", { id: "new-role-seconds", type: "number", min: "3600", max: "43200", value: "3600" });
  const result = h("div");
  let listReady = Promise.resolve(async () => {});
  container.append(h("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await admin("POST", "roles", { body: { name: name.value.trim(), trustPolicy: JSON.parse(trust.value), permissionPolicy: JSON.parse(permissions.value), maxSessionSeconds: Number(seconds.value) } });
      fill(result, notice("ok", `Role ${name.value.trim()} created.`));
      await (await listReady)();
    } catch (error) {
      fill(result, notice("error", describe(error)));
    }
  } }, h("h2", {}, "Create a role"), h("div", { class: "row" }, h("label", {}, "Name ", name), h("label", {}, "Longest session (s) ", seconds)),
    h("label", { class: "block" }, "Trust policy (who may assume it)", trust),
    h("label", { class: "block" }, "Permission policy (what its sessions may do)", permissions),
    h("button", { type: "submit" }, "Create role"), result));
  listReady = section(container, "roles-list", async (body, reload) => {
    const { roles } = await admin("GET", "roles");
    fill(body, roles.length ? table(["Name", "ARN", "Longest session", "Created", ""], roles.map((r) => [r.name, h("code", {}, r.arn), `${r.maxSessionSeconds} s`, r.created || "",
      confirmButton("Delete", `Delete role ${r.name}? Its sessions are refused from then on.`, async () => {
        try {
          await admin("DELETE", "roles", { query: [["name", r.name]] });
        } catch (error) {
          body.prepend(notice("error", describe(error)));
          return;
        }
        await reload();
      })])) : h("p", { class: "muted" }, "No role yet."));
  });
  await listReady;
}

export async function grantsPage(container) {
  const bucket = h("input", { id: "grant-bucket", required: true });
  const user = h("input", { id: "grant-user", required: true });
  const access = h("select", { id: "grant-access" }, ["read", "read-write"].map((a) => h("option", { value: a }, a)));
  const result = h("div");
  let listReady = Promise.resolve(async () => {});
  container.append(h("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await admin("POST", "buckets/grant", { body: { bucket: bucket.value.trim(), user: user.value.trim(), access: access.value } });
      fill(result, notice("ok", `${user.value.trim()} may ${access.value} ${bucket.value.trim()}.`));
      await (await listReady)();
    } catch (error) {
      fill(result, notice("error", describe(error)));
    }
  } }, h("h2", {}, "Grant access to a bucket"),
    h("div", { class: "row" }, h("label", {}, "Bucket ", bucket), h("label", {}, "User ", user), h("label", {}, "Access ", access), h("button", { type: "submit" }, "Grant")),
    result));
  listReady = section(container, "grants-list", async (body, reload) => {
    const { buckets } = await admin("GET", "buckets");
    fill(body, table(["Bucket", "Owner", "Classification", "Grants"], buckets.map((b) => [b.name, b.owner, b.classification || "",
      (b.grants || []).map((g) => h("div", {}, `${g.user}: ${g.access} `, confirmButton("Revoke", `Revoke ${g.user}'s access to ${b.name}?`, async () => {
        try {
          await admin("POST", "buckets/revoke", { body: { bucket: b.name, user: g.user } });
        } catch (error) {
          body.prepend(notice("error", describe(error)));
          return;
        }
        await reload();
      })))])));
  });
  await listReady;
}

export async function locationsPage(container) {
  const checks = h("div", { id: "location-checks" });
  await section(container, "locations-list", async (body) => {
    const answer = await admin("GET", "locations");
    fill(body, renderJSON(answer.locations));
  });
  container.append(h("section", { class: "card" }, h("h2", {}, "Checks"),
    h("div", { class: "row" },
      h("button", { type: "button", id: "repair-status", onclick: () => run("GET", "repair") }, "Repair backlog"),
      confirmButton("Verify every replica (scrub)", "Read and verify every replica now? This loads the locations.", () => run("POST", "scrub"))),
    checks));
  async function run(method, name) {
    fill(checks, "Working…");
    try {
      fill(checks, renderJSON(await admin(method, name)));
    } catch (error) {
      fill(checks, unavailable(error));
    }
  }
}

export async function keysPage(container) {
  const target = h("select", { id: "rotate-target" },
    h("option", { value: "master" }, "the master key"), h("option", { value: "bucket" }, "a bucket's key"));
  const bucket = h("input", { id: "rotate-bucket", placeholder: "bucket name", spellcheck: "false", hidden: true });
  target.addEventListener("change", () => { bucket.hidden = target.value !== "bucket"; });
  const result = h("div", { id: "rotate-result" });
  let listReady = Promise.resolve(async () => {});
  const rotate = h("div", { class: "row" });
  const resetRotate = () => fill(rotate, h("label", {}, "Rotate ", target), bucket,
    confirmButton("Rotate", "Rotate now? New keys are wrapped under a new version; older versions stay readable until retired.", async () => {
      const query = target.value === "master" ? [["master", ""]] : [["bucket", bucket.value.trim()]];
      try {
        fill(result, renderJSON(await admin("POST", "keys/rotate", { query })));
        await (await listReady)();
      } catch (error) {
        fill(result, notice("error", describe(error)));
      }
      resetRotate();
    }, { id: "rotate-keys" }));
  resetRotate();
  container.append(h("section", { class: "card" }, h("h2", {}, "Rotate"), rotate, result));
  listReady = section(container, "keys-list", async (body) => {
    fill(body, renderJSON(await admin("GET", "keys")));
  });
  await listReady;
}
