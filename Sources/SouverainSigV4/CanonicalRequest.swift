/// The pieces of the Signature V4 canonical request, as S3 builds them.
enum CanonicalRequest {
    typealias Header = (name: String, value: String)
    typealias Parameter = (name: [UInt8], value: [UInt8])

    /// The canonical URI: the raw path percent-decoded, then every byte re-encoded except the
    /// unreserved characters and `/`. S3 does not normalise the path (`//`, `.`, `..` stay).
    /// Throws SignatureDoesNotMatch on a malformed escape.
    static func uri(rawPath: String) throws(SigV4Error) -> String {
        guard let bytes = PercentEncoding.decode(rawPath) else {
            throw .signatureDoesNotMatch("The request path has an invalid percent-encoding.")
        }
        return uri(decodedPath: bytes)
    }

    /// The canonical URI of a path whose escapes, if malformed, are taken literally (signer side).
    static func uri(lenientRawPath rawPath: String) -> String {
        uri(decodedPath: PercentEncoding.decodeLeniently(rawPath))
    }

    private static func uri(decodedPath: [UInt8]) -> String {
        decodedPath.isEmpty ? "/" : PercentEncoding.encode(decodedPath, keepSlash: true)
    }

    /// Splits a raw query into decoded parameters (`+` stays `+`); nil on a malformed escape.
    static func parameters(rawQuery: String) -> [Parameter]? {
        var result: [Parameter] = []
        for piece in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = piece.firstIndex(of: "=") {
                name = piece[..<equals]
                value = piece[piece.index(after: equals)...]
            } else {
                name = piece
                value = ""
            }
            guard let decodedName = PercentEncoding.decode(name), let decodedValue = PercentEncoding.decode(value)
            else { return nil }
            result.append((decodedName, decodedValue))
        }
        return result
    }

    /// Like `parameters(rawQuery:)`, keeping malformed escapes literally (signer side).
    static func parameters(lenientRawQuery rawQuery: String) -> [Parameter] {
        rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { piece in
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (
                PercentEncoding.decodeLeniently(parts[0]),
                parts.count > 1 ? PercentEncoding.decodeLeniently(parts[1]) : []
            )
        }
    }

    /// The canonical query string: each name and value encoded (`/` too), sorted by name then value.
    static func query(_ parameters: [Parameter]) -> String {
        parameters
            .map {
                (PercentEncoding.encode($0.name, keepSlash: false), PercentEncoding.encode($0.value, keepSlash: false))
            }
            .sorted { lhs, rhs in
                lhs.0 != rhs.0
                    ? lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8)
                    : lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Appends the canonical headers block (each line ending in `\n`) for `signedHeaders`, in that
    /// order. Repeated headers are joined with `,`; values are trimmed and inner blank runs
    /// collapsed. Throws SignatureDoesNotMatch when a signed header is absent.
    static func appendHeaderBlock(
        signed signedHeaders: [String], from headers: [Header], to out: inout [UInt8]
    ) throws(SigV4Error) {
        for name in signedHeaders {
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ":"))
            var found = false
            for header in headers where header.name.isHeaderName(name) {
                if found { out.append(UInt8(ascii: ",")) }
                found = true
                appendNormalized(header.value, to: &out)
            }
            guard found else { throw .signatureDoesNotMatch("The signed header '\(name)' is not in the request.") }
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// The canonical request, as bytes: method, URI, query, headers block, signed header names
    /// and payload hash, one per line; built in one buffer, as it is only ever hashed. Throws
    /// SignatureDoesNotMatch when a signed header is absent.
    static func bytes(
        method: String, uri: String, query: String, signedHeaders: [String], headers: [Header], payloadHash: String
    ) throws(SigV4Error) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + 64 * signedHeaders.count)
        for line in [method, uri, query] {
            out.append(contentsOf: line.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        try appendHeaderBlock(signed: signedHeaders, from: headers, to: &out)
        out.append(UInt8(ascii: "\n"))
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ";")) }
            out.append(contentsOf: name.utf8)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: payloadHash.utf8)
        return out
    }

    /// Trims spaces and tabs and collapses inner runs of them to one space.
    static func normalize(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        appendNormalized(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` trimmed of spaces and tabs, inner runs of them collapsed to one space.
    static func appendNormalized(_ value: String, to out: inout [UInt8]) {
        var started = false
        var pendingSpace = false
        for byte in value.utf8 {
            if byte.isBlank {
                pendingSpace = started
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                started = true
                out.append(byte)
            }
        }
    }

    /// The string to sign for a canonical request.
    static func stringToSign(timestamp: String, scope: CredentialScope, canonicalRequest: [UInt8]) -> String {
        "AWS4-HMAC-SHA256\n\(timestamp)\n\(scope.string)\n\(Digest.hex(bytes: canonicalRequest))"
    }
}
