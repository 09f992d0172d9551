// Sign-in through OpenID Connect: the authorization code flow with PKCE, entirely in the browser
// (a public client: no client secret), then STS AssumeRoleWithWebIdentity with the ID token. The
// server verifies the token (signature from the issuer's JWKS, iss, aud, expiry) and the role's
// trust policy; the page only checks that the answer is the one it asked for (state, nonce).

const PENDING_KEY = "souverain.console.oidc";

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export function redirectURI() {
  return location.origin + "/console/";
}

async function discovery(issuer) {
  const response = await fetch(issuer.replace(/\/$/, "") + "/.well-known/openid-configuration", { credentials: "omit", cache: "no-store" });
  if (!response.ok) throw new Error(`the issuer's discovery document could not be read (HTTP ${response.status})`);
  return response.json();
}

/** Leaves for the issuer's sign-in page; comes back to /console/?code=…&state=…. */
export async function startOIDCSignIn(oidc) {
  const document = await discovery(oidc.issuer);
  const verifier = randomToken();
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const pending = { verifier, state: randomToken(), nonce: randomToken(), tokenEndpoint: document.token_endpoint };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const query = new URLSearchParams({
    response_type: "code", client_id: oidc.clientId, redirect_uri: redirectURI(), scope: oidc.scope || "openid profile email",
    state: pending.state, nonce: pending.nonce, code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(`${document.authorization_endpoint}?${query}`);
}

function claimsOf(idToken) {
  const payload = idToken.split(".")[1] || "";
  const text = atob(payload.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((payload.length + 3) % 4));
  return JSON.parse(decodeURIComponent(escape(text)));
}

/**
 * On the way back from the issuer: null when the page was not called back; otherwise the ID token
 * and its subject, after checking state and nonce and exchanging the code with the verifier.
 */
export async function finishOIDCSignIn(oidc) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  history.replaceState(null, "", location.pathname + location.hash); // the code is single-use: off the address bar
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  sessionStorage.removeItem(PENDING_KEY);
  if (params.has("error")) throw new Error(`the identity provider refused: ${params.get("error_description") || params.get("error")}`);
  if (!pending || params.get("state") !== pending.state) throw new Error("this sign-in answer was not asked for by this tab (state mismatch)");
  const response = await fetch(pending.tokenEndpoint, {
    method: "POST", credentials: "omit", cache: "no-store",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectURI(), client_id: oidc.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the identity provider did not give a token (HTTP ${response.status})`);
  const answer = await response.json();
  if (!answer.id_token) throw new Error("the identity provider's answer has no ID token");
  const claims = claimsOf(answer.id_token);
  if (claims.nonce !== pending.nonce) throw new Error("the ID token was not issued for this sign-in (nonce mismatch)");
  return { idToken: answer.id_token, subject: claims.email || claims.preferred_username || claims.sub || "web identity" };
}
