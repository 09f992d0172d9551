// The console's only way to the server: S3, admin and STS requests signed in the browser with the
// session's temporary credentials (sigv4.js). No cookie is ever set or sent (credentials: "omit"),
// so there is no ambient authority for a cross-site request to ride on (docs/console.md).

import { canonicalQuery, presignURL, sha256Hex, signHeaders, uriEncode } from "./sigv4.js";

const SESSION_KEY = "souverain.console.session";
let settings = { region: "us-east-1" };
let sessionEnded = () => {};

/** A refusal from the server: the S3 (or STS) error's Code and Message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || `HTTP${status}`;
  }
}

const PHRASES = {
  AccessDenied: "Access denied",
  AllAccessDisabled: "Access denied",
  NoSuchBucket: "No such bucket",
  NoSuchKey: "Not found",
  NoSuchEntity: "Not found",
  BucketAlreadyExists: "That bucket name is taken",
  BucketAlreadyOwnedByYou: "You already own that bucket",
  BucketNotEmpty: "The bucket is not empty",
  InvalidBucketName: "Invalid bucket name",
  InvalidArgument: "Invalid input",
  MalformedPolicy: "The policy is malformed",
  MalformedXML: "The document is malformed",
  PlacementViolation: "Placement refused",
  ExpiredToken: "Your session expired",
  InvalidToken: "Your session is no longer valid",
  SignatureDoesNotMatch: "The secret does not match the access key",
  InvalidClientTokenId: "Unknown access key",
  InvalidAccessKeyId: "Unknown access key",
  ValidationError: "Invalid input",
  NotImplemented: "Not available on this server",
  ServiceUnavailable: "The service is unavailable",
  InternalError: "The server failed",
};

/** A refusal in clear words: "Access denied: <the server's message> (AccessDenied)". */
export function describe(error) {
  if (!(error instanceof ApiError)) return `Error: ${error && error.message ? error.message : error}`;
  const phrase = PHRASES[error.code] || error.code;
  return `${phrase}: ${error.message} (${error.code})`;
}

export async function loadSettings() {
  const response = await fetch("/console/config.json", { credentials: "omit", cache: "no-store" });
  if (response.ok) settings = await response.json();
  return settings;
}

export function region() {
  return settings.region;
}

/** The console's OpenID Connect settings ({issuer, clientId, roleArn}), or null. */
export function oidcSettings() {
  return settings.oidc || null;
}

/** The session's credentials (never the long-lived secret), or null. */
export function currentSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

export function endSession(reason) {
  sessionStorage.removeItem(SESSION_KEY);
  sessionEnded(reason);
}

/** Called with a reason when the session ends (expiry, ExpiredToken, sign-out). */
export function onSessionEnd(callback) {
  sessionEnded = callback;
}

export function isExpired(session) {
  return !session || Date.parse(session.expiration) <= Date.now();
}

/** The path of a bucket or an object, encoded as sent and signed. */
export function objectPath(bucket, key) {
  return "/" + uriEncode(bucket) + (key === undefined ? "" : "/" + uriEncode(key, true));
}

function textOf(doc, selector) {
  const node = doc.querySelector(selector);
  return node ? node.textContent : null;
}

async function errorOf(response) {
  const text = await response.text().catch(() => "");
  let code = null;
  let message = null;
  if (text.trim().startsWith("<")) {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    code = textOf(doc, "Error > Code") || textOf(doc, "Code");
    message = textOf(doc, "Error > Message") || textOf(doc, "Message");
  }
  if (!code) code = response.status === 403 ? "AccessDenied" : response.status === 404 ? "NoSuchKey" : `HTTP${response.status}`;
  return new ApiError(response.status, code, message || response.statusText);
}

function checkSessionError(error) {
  if (error.code === "ExpiredToken" || error.code === "ExpiredTokenException" || error.code === "InvalidToken") {
    endSession(`${describe(error)}. Sign in again.`);
  }
}

function liveSession() {
  const session = currentSession();
  if (isExpired(session)) {
    endSession(session ? "Your session expired. Sign in again." : "Sign in first.");
    throw new ApiError(400, "ExpiredToken", "The session has expired.");
  }
  return session;
}

async function payloadHashOf(body) {
  if (body === null || body === undefined) return sha256Hex("");
  if (typeof body === "string") return sha256Hex(body);
  return "UNSIGNED-PAYLOAD"; // files and parts: streamed by the browser, not read into script memory
}

/** A signed fetch with the session's credentials; throws ApiError on any refusal. */
export async function call({ method = "GET", path, query = [], headers = {}, body = null, service = "s3" }) {
  const session = liveSession();
  const signed = await signHeaders({
    method, path, query, headers: { ...headers, host: location.host },
    payloadHash: await payloadHashOf(body), credentials: session, region: region(), service,
  });
  const qs = canonicalQuery(query);
  const response = await fetch(path + (qs ? "?" + qs : ""), {
    method, headers: signed, body: body ?? undefined, credentials: "omit", cache: "no-store", redirect: "error",
  });
  if (!response.ok) {
    const error = await errorOf(response);
    checkSessionError(error);
    throw error;
  }
  return response;
}

/** XML answer as a Document. */
export async function callXML(options) {
  const text = await (await call(options)).text();
  return new DOMParser().parseFromString(text, "application/xml");
}

/** An admin API call (`/_souverain/...`) answered in JSON; `body` is sent as JSON. */
export async function admin(method, name, { query = [], body } = {}) {
  const options = { method, path: "/_souverain/" + name, query };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers = { "content-type": "application/json" };
  }
  const response = await call(options);
  const text = await response.text();
  const type = response.headers.get("content-type") || "";
  if (!text) return null;
  if (type.includes("ndjson")) return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  return JSON.parse(text);
}

/**
 * Signs in: the long-lived key signs one STS GetSessionToken here, and only the temporary
 * credentials it returns are kept (in sessionStorage, for this tab). The secret is not stored.
 */
export async function signIn(accessKeyId, secretAccessKey, durationSeconds) {
  const body = `Action=GetSessionToken&Version=2011-06-15&DurationSeconds=${encodeURIComponent(durationSeconds)}`;
  const headers = { host: location.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const signed = await signHeaders({
    method: "POST", path: "/", headers, payloadHash: await sha256Hex(body),
    credentials: { accessKeyId, secretAccessKey }, region: region(), service: "sts",
  });
  const response = await fetch("/", { method: "POST", headers: signed, body, credentials: "omit", cache: "no-store" });
  return keepSession(response, accessKeyId);
}

/**
 * Signs in with an OpenID Connect ID token (oidc.js): STS AssumeRoleWithWebIdentity, unsigned (the
 * token is the credential), for the role the server's console settings name.
 */
export async function signInWithWebIdentity(roleArn, idToken, subject, durationSeconds) {
  const sessionName = ("console-" + subject).replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  const body = new URLSearchParams({
    Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: roleArn, RoleSessionName: sessionName,
    WebIdentityToken: idToken, DurationSeconds: String(durationSeconds),
  }).toString();
  const response = await fetch("/", {
    method: "POST", body, credentials: "omit", cache: "no-store",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  });
  return keepSession(response, subject);
}

async function keepSession(response, signedInAs) {
  if (!response.ok) throw await errorOf(response);
  const doc = new DOMParser().parseFromString(await response.text(), "application/xml");
  const session = {
    accessKeyId: textOf(doc, "Credentials > AccessKeyId"),
    secretAccessKey: textOf(doc, "Credentials > SecretAccessKey"),
    sessionToken: textOf(doc, "Credentials > SessionToken"),
    expiration: textOf(doc, "Credentials > Expiration"),
    signedInAs,
  };
  if (!session.accessKeyId || !session.sessionToken) throw new ApiError(500, "InternalError", "STS answered without credentials.");
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** A presigned GET of an object, valid 15 minutes: the browser downloads it as a link. */
export async function downloadURL(bucket, key) {
  const session = liveSession();
  return presignURL({
    origin: location.origin, host: location.host, path: objectPath(bucket, key),
    query: [["response-content-disposition", `attachment; filename="${key.split("/").pop().replace(/["\\]/g, "_")}"`]],
    credentials: session, region: region(), expires: 900,
  });
}

/**
 * A signed PUT through XMLHttpRequest, whose upload events report progress (fetch has none).
 * Resolves with the response's ETag; rejects with ApiError.
 */
export async function putWithProgress(path, query, blob, onProgress, headers = {}) {
  const session = liveSession();
  const signed = await signHeaders({
    method: "PUT", path, query, headers: { ...headers, host: location.host },
    payloadHash: "UNSIGNED-PAYLOAD", credentials: session, region: region(), service: "s3",
  });
  const qs = canonicalQuery(query);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", path + (qs ? "?" + qs : ""));
    for (const [name, value] of Object.entries(signed)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(blob.size);
        resolve(xhr.getResponseHeader("ETag"));
      } else {
        const error = await errorOf(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText }));
        checkSessionError(error);
        reject(error);
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "NetworkError", "The upload was interrupted."));
    xhr.send(blob);
  });
}
