// The console's shell: sign-in, the session's clock, the navigation (which pages a caller sees
// comes from GET /_souverain/whoami) and the hash router.

import { admin, currentSession, describe, endSession, isExpired, loadSettings, oidcSettings, onSessionEnd, signIn, signInWithWebIdentity } from "./api.js";
import { finishOIDCSignIn, startOIDCSignIn } from "./oidc.js";
import { fill, h } from "./ui.js";
import { bucketsPage } from "./buckets.js";
import { objectsPage } from "./objects.js";
import { settingsPage } from "./settings.js";
import { usersPage, rolesPage, grantsPage, locationsPage, keysPage } from "./admin.js";
import { auditPage, reportPage } from "./audit.js";

const $ = (id) => document.getElementById(id);
let identity = null; // whoami's answer, or {unavailable: message}
let clock = null;

/** Sign-in only over HTTPS, or over plain HTTP on the machine itself (docs/tls.md). */
export function transportPermitsSignIn(place = location) {
  if (place.protocol === "https:") return true;
  const host = place.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

const PAGES = {
  buckets: { title: "Buckets", render: bucketsPage, roles: ["admin", "user"] },
  objects: { title: "Objects", render: objectsPage, roles: ["admin", "user"], hidden: true },
  settings: { title: "Bucket settings", render: settingsPage, roles: ["admin", "user"], hidden: true },
  users: { title: "Users", render: usersPage, roles: ["admin"] },
  roles: { title: "Roles", render: rolesPage, roles: ["admin"] },
  grants: { title: "Grants", render: grantsPage, roles: ["admin"] },
  locations: { title: "Locations", render: locationsPage, roles: ["admin"] },
  keys: { title: "Keys", render: keysPage, roles: ["admin"] },
  audit: { title: "Audit trail", render: auditPage, roles: ["admin", "auditor"] },
  report: { title: "Compliance report", render: reportPage, roles: ["admin", "auditor"] },
};

function visiblePages() {
  const role = identity && identity.role;
  return Object.entries(PAGES).filter(([, page]) => !role || page.roles.includes(role));
}

function showSignIn(message) {
  identity = null;
  if (clock) clearInterval(clock);
  $("page").hidden = true;
  $("nav").hidden = true;
  $("who").hidden = true;
  $("signin").hidden = false;
  const line = $("signin-message");
  line.hidden = !message;
  line.className = "notice info";
  line.textContent = message || "";
  if (!transportPermitsSignIn()) {
    $("signin-form").hidden = true;
    $("oidc-button").hidden = true;
    const refusal = $("transport-refusal");
    refusal.hidden = false;
    refusal.textContent = "Sign-in is refused over plain HTTP except on this machine (loopback): your secret's signature and your data "
      + "would cross the network in clear. Serve HTTPS (souverain serve --tls-cert FILE --tls-key FILE, docs/tls.md) and open https://…/console.";
  } else {
    $("access-key").focus();
  }
}

function remaining(session) {
  const seconds = Math.max(0, Math.round((Date.parse(session.expiration) - Date.now()) / 1000));
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${seconds} s`;
}

function renderWho(session) {
  const assumed = identity && identity.session && identity.session.role;
  let name = session.signedInAs;
  if (assumed) name = `${identity.session.subject ? session.signedInAs : identity.user} (role ${assumed})`;
  else if (identity && identity.user) name = `${identity.user} (${identity.role})`;
  fill($("who"),
    h("span", { id: "who-name" }, `Signed in as ${name}`), " · ",
    h("span", { id: "session-expiry", title: session.expiration },
      `session expires ${new Date(session.expiration).toLocaleTimeString()} (in ${remaining(session)})`), " ",
    h("button", { type: "button", id: "signout", onclick: () => endSession("Signed out.") }, "Sign out"));
}

async function startSession() {
  const session = currentSession();
  if (isExpired(session)) return showSignIn(session ? "Your session expired. Sign in again." : "");
  $("signin").hidden = true;
  try {
    identity = await admin("GET", "whoami");
  } catch (error) {
    if (!currentSession()) return; // the session ended (ExpiredToken): the sign-in is showing
    identity = { unavailable: describe(error) };
  }
  renderWho(session);
  $("who").hidden = false;
  // The session's clock: back to sign-in at its stated expiry, whatever the page is doing.
  if (clock) clearInterval(clock);
  clock = setInterval(() => {
    const current = currentSession();
    if (isExpired(current)) endSession("Your session expired. Sign in again.");
    else renderWho(current);
  }, 1000);
  fill($("nav"), visiblePages().filter(([, p]) => !p.hidden).map(([id, p]) => h("a", { href: `#/${id}`, id: `nav-${id}` }, p.title)));
  $("nav").hidden = false;
  route();
}

function route() {
  if (isExpired(currentSession()) || $("signin").hidden === false) return;
  const [name, queryText] = location.hash.replace(/^#\/?/, "").split("?");
  const pages = visiblePages();
  let id = PAGES[name] && pages.some(([p]) => p === name) ? name : pages.length ? pages[0][0] : "buckets";
  const page = PAGES[id];
  for (const link of $("nav").querySelectorAll("a")) link.classList.toggle("current", link.id === `nav-${id}`);
  const container = $("page");
  container.hidden = false;
  fill(container, h("h1", {}, page.title));
  const params = new URLSearchParams(queryText || "");
  Promise.resolve(page.render(container, params, identity)).catch((error) => {
    container.append(h("p", { class: "notice error", role: "alert" }, describe(error)));
  });
}

async function submitSignIn(event) {
  event.preventDefault();
  const button = $("signin-button");
  const secretField = $("secret-key");
  button.disabled = true;
  try {
    await signIn($("access-key").value.trim(), secretField.value, Number($("duration").value) || 3600);
    secretField.value = ""; // the long-lived secret is not kept, not even in the form
    await startSession();
  } catch (error) {
    signInFailed(error);
  } finally {
    button.disabled = false;
  }
}

function signInFailed(error) {
  const line = $("signin-message");
  line.hidden = false;
  line.className = "notice error";
  line.setAttribute("role", "alert");
  line.textContent = describe(error);
}

/** The OpenID Connect button, when the server names an issuer (console-oidc-* settings). */
function offerOIDC() {
  const oidc = oidcSettings();
  if (!oidc) return;
  const button = $("oidc-button");
  button.hidden = false;
  button.textContent = `Sign in with ${oidc.name || new URL(oidc.issuer).host}`;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await startOIDCSignIn(oidc);
    } catch (error) {
      button.disabled = false;
      signInFailed(error);
    }
  });
}

async function main() {
  await loadSettings();
  onSessionEnd((reason) => showSignIn(reason));
  $("signin-form").addEventListener("submit", submitSignIn);
  window.addEventListener("hashchange", route);
  offerOIDC();
  const oidc = oidcSettings();
  if (oidc && transportPermitsSignIn()) {
    try {
      const answer = await finishOIDCSignIn(oidc);
      if (answer) {
        await signInWithWebIdentity(oidc.roleArn, answer.idToken, answer.subject, Number($("duration").value) || 3600);
      }
    } catch (error) {
      showSignIn("");
      signInFailed(error);
      return;
    }
  }
  if (currentSession()) await startSession();
  else showSignIn("");
}

main();
