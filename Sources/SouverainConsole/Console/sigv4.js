// AWS Signature Version 4, computed in the browser with WebCrypto (HMAC-SHA256, SHA-256).
// The console signs every S3, admin and STS request itself, so no cookie carries authority
// (docs/console.md). Pure functions: the time and the credentials are passed in.

const encoder = new TextEncoder();

/** Lowercase hex of bytes. */
export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of a string or bytes, as lowercase hex. */
export async function sha256Hex(data) {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

async function hmac(key, message) {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message));
}

/** RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, '/' kept when asked. */
export function uriEncode(text, keepSlash = false) {
  let out = "";
  for (const byte of encoder.encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** `YYYYMMDDTHHMMSSZ` of a Date. */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** The canonical query string of [name, value] pairs: each encoded, sorted by name then value. */
export function canonicalQuery(pairs) {
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v ?? "")])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** The signing key of a day, region and service. */
export async function signingKey(secret, day, region, service) {
  const kDate = await hmac("AWS4" + secret, day);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

function canonicalHeaders(headers) {
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const text = names.map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, " ")}\n`).join("");
  return { text, signed: names.join(";") };
}

/**
 * Signs a request with an Authorization header.
 * - path: the URI path, already percent-encoded as sent (each segment with uriEncode).
 * - query: [name, value] pairs, not encoded.
 * - headers: the headers to sign (must include host); x-amz-date, the token and the payload hash are added.
 * Returns the headers to send (without host, which the browser sets).
 */
export async function signHeaders({ method, path, query = [], headers, payloadHash, credentials, region, service, now = new Date() }) {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const all = { ...headers, "x-amz-date": date };
  if (service === "s3") all["x-amz-content-sha256"] = payloadHash;
  if (credentials.sessionToken) all["x-amz-security-token"] = credentials.sessionToken;
  const { text, signed } = canonicalHeaders(all);
  const canonical = [method, path, canonicalQuery(query), text, signed, payloadHash].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonical)].join("\n");
  const signature = hex(await hmac(await signingKey(credentials.secretAccessKey, day, region, service), toSign));
  const out = { ...all };
  delete out.host;
  out.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`;
  return out;
}

/**
 * A query-signed (presigned) URL: the browser follows it like any link, so a download streams
 * byte-exact from the server without passing through script memory.
 */
export async function presignURL({ method = "GET", origin, host, path, query = [], credentials, region, service = "s3", expires = 900, now = new Date() }) {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const params = [
    ...query,
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${credentials.accessKeyId}/${scope}`],
    ["X-Amz-Date", date],
    ["X-Amz-Expires", String(expires)],
    ["X-Amz-SignedHeaders", "host"],
  ];
  if (credentials.sessionToken) params.push(["X-Amz-Security-Token", credentials.sessionToken]);
  const canonical = [method, path, canonicalQuery(params), `host:${host}\n`, "host", "UNSIGNED-PAYLOAD"].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonical)].join("\n");
  const signature = hex(await hmac(await signingKey(credentials.secretAccessKey, day, region, service), toSign));
  return `${origin}${path}?${canonicalQuery(params)}&X-Amz-Signature=${signature}`;
}
