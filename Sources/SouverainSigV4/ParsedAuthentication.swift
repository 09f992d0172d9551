/// The authentication a request carries, parsed but not yet verified.
///
/// Read `accessKeyID` to look up the secret, then pass this to `SigV4Verifier.verify`.
public struct ParsedAuthentication: Sendable {
    /// The access key ID from the credential.
    public let accessKeyID: String
    /// Whether the authentication came from a presigned URL's query rather than the Authorization header.
    public var isPresigned: Bool { presigned != nil }

    let scope: CredentialScope
    let terminator: String
    /// Lowercase names, in the order given.
    let signedHeaders: [String]
    /// 64 lowercase hex digits.
    let signature: String
    let presigned: Presigned?

    struct Presigned: Sendable {
        /// X-Amz-Date as sent, validated as ISO 8601 basic.
        var amzDate: String
        /// X-Amz-Expires, in seconds.
        var expires: Int
        /// X-Amz-Content-Sha256 from the query, if given.
        var contentSHA256: String?
    }

    static let algorithm = "AWS4-HMAC-SHA256"
}

extension ParsedAuthentication {
    /// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    ///
    /// Read as bytes: every byte that matters is ASCII, and the `Character` view's splits and
    /// trims were 5% of a small HEAD's CPU (docs/profiles/small-head.txt).
    init(authorizationHeader value: String) throws(SigV4Error) {
        var value = value
        let fields = try value.withUTF8 { bytes in Result { () throws(SigV4Error) in try AuthorizationFields(bytes) } }.get()
        try self.init(
            credential: fields.credential, signedHeaders: fields.signedHeaders, signature: fields.signature,
            presigned: nil, malformed: SigV4Error.headerMalformed)
    }

    /// The three components of an Authorization header, as their bytes' text.
    private struct AuthorizationFields {
        var credential: Substring
        var signedHeaders: Substring
        var signature: Substring

        init(_ bytes: UnsafeBufferPointer<UInt8>) throws(SigV4Error) {
            var start = 0
            while start < bytes.count, bytes[start].isBlank { start += 1 }
            let algorithm = ParsedAuthentication.algorithmBytes
            guard bytes.count - start > algorithm.count,
                  zip(algorithm, bytes[start...]).allSatisfy({ $0 == $1 }), bytes[start + algorithm.count] == UInt8(ascii: " ")
            else {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
                let scheme = String(decoding: bytes[start..<end], as: UTF8.self)
                throw .headerMalformed(
                    "the authorization mechanism '\(scheme.prefix(32))' is not supported; use \(ParsedAuthentication.algorithm).")
            }
            var credential: Substring?
            var signedHeaders: Substring?
            var signature: Substring?
            var componentStart = start + algorithm.count + 1
            while componentStart <= bytes.count {
                var componentEnd = componentStart
                while componentEnd < bytes.count, bytes[componentEnd] != UInt8(ascii: ",") { componentEnd += 1 }
                var first = componentStart
                var last = componentEnd
                while first < last, bytes[first].isBlank { first += 1 }
                while last > first, bytes[last - 1].isBlank { last -= 1 }
                let part = bytes[first..<last]
                guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else {
                    let text = String(decoding: part, as: UTF8.self)
                    throw .headerMalformed("the component '\(text.prefix(64))' is not of the form Name=Value.")
                }
                let name = bytes[first..<equals]
                let value = Substring(String(decoding: bytes[(equals + 1)..<last], as: UTF8.self))
                if name.elementsEqual("Credential".utf8), credential == nil {
                    credential = value
                } else if name.elementsEqual("SignedHeaders".utf8), signedHeaders == nil {
                    signedHeaders = value
                } else if name.elementsEqual("Signature".utf8), signature == nil {
                    signature = value
                } else {
                    let text = String(decoding: name, as: UTF8.self)
                    switch text {
                    case "Credential", "SignedHeaders", "Signature":
                        throw .headerMalformed("the component \(text) appears more than once.")
                    default:
                        throw .headerMalformed("the component '\(text.prefix(64))' is unknown.")
                    }
                }
                componentStart = componentEnd + 1
            }
            guard let credential, let signedHeaders, let signature else {
                throw .headerMalformed("it must contain Credential, SignedHeaders and Signature.")
            }
            self.credential = credential
            self.signedHeaders = signedHeaders
            self.signature = signature
        }
    }

    static let algorithmBytes = Array(algorithm.utf8)

    /// Parses a presigned URL's X-Amz-* parameters; nil when the query carries none.
    init?(presignedQuery rawQuery: String) throws(SigV4Error) {
        guard let parameters = CanonicalRequest.parameters(rawQuery: rawQuery) else {
            if Self.authParameterNames.contains(where: { rawQuery.contains($0) }) {
                throw .queryMalformed("The query string has an invalid percent-encoding.")
            }
            return nil
        }
        var values: [String: String] = [:]
        for parameter in parameters {
            let name = String(decoding: parameter.name, as: UTF8.self)
            guard name.hasPrefix("X-Amz-") else { continue }
            guard values[name] == nil else {
                throw .queryMalformed("The query parameter \(name.prefix(64)) appears more than once.")
            }
            values[name] = String(decoding: parameter.value, as: UTF8.self)
        }
        guard Self.authParameterNames.contains(where: { values[$0] != nil }) else { return nil }
        for name in Self.requiredParameterNames where values[name] == nil {
            throw .queryMalformed(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; \(name) is missing."
            )
        }
        guard values["X-Amz-Algorithm"] == Self.algorithm else {
            throw .queryMalformed("X-Amz-Algorithm only supports \(Self.algorithm).")
        }
        let amzDate = values["X-Amz-Date", default: ""]
        guard AmzDate.parseBasic(amzDate) != nil else {
            throw .queryMalformed("X-Amz-Date must be in the ISO 8601 basic format, such as 20130524T000000Z.")
        }
        guard let expires = Int(values["X-Amz-Expires", default: ""]) else {
            throw .queryMalformed("X-Amz-Expires must be a whole number of seconds.")
        }
        // A URL that was never valid is refused as an expired one is (403, as S3 and RGW answer).
        guard (1...604_800).contains(expires) else {
            throw SigV4Error(
                code: .expired, message: "Request has expired: X-Amz-Expires must be between 1 and 604800 seconds (one week).")
        }
        try self.init(
            credential: Substring(values["X-Amz-Credential", default: ""]),
            signedHeaders: Substring(values["X-Amz-SignedHeaders", default: ""]),
            signature: Substring(values["X-Amz-Signature", default: ""]),
            presigned: Presigned(amzDate: amzDate, expires: expires, contentSHA256: values["X-Amz-Content-Sha256"]),
            malformed: SigV4Error.queryMalformed)
    }

    static let authParameterNames = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders"]
    static let requiredParameterNames = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires",
    ]

    private init(
        credential: Substring, signedHeaders: Substring, signature: Substring, presigned: Presigned?,
        malformed: (String) -> SigV4Error
    ) throws(SigV4Error) {
        // The scope is the last four parts; the access key ID is everything before them.
        let bytes = credential.utf8
        var slashes: [String.Index] = []
        var cursor = bytes.endIndex
        while slashes.count < 4, let slash = bytes[..<cursor].lastIndex(of: UInt8(ascii: "/")) {
            slashes.append(slash)
            cursor = slash
        }
        guard slashes.count == 4 else {
            throw malformed("the Credential must be of the form <access key>/<date>/<region>/<service>/aws4_request.")
        }
        let accessKeyID = bytes[..<slashes[3]]
        let date = bytes[bytes.index(after: slashes[3])..<slashes[2]]
        let region = bytes[bytes.index(after: slashes[2])..<slashes[1]]
        let service = bytes[bytes.index(after: slashes[1])..<slashes[0]]
        let terminator = bytes[bytes.index(after: slashes[0])...]
        guard !accessKeyID.isEmpty, !date.isEmpty, !region.isEmpty, !service.isEmpty, !terminator.isEmpty else {
            throw malformed("the Credential has an empty part.")
        }
        guard date.count == 8, date.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw malformed("the Credential date must be of the form yyyyMMdd.")
        }
        var names: [String] = []
        for name in signedHeaders.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            guard !name.isEmpty, name.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) else {
                throw malformed("SignedHeaders must be a non-empty list of header names separated by ';'.")
            }
            names.append(String(asciiLowercasing: name))
        }
        let loweredSignature = String(asciiLowercasing: signature.utf8)
        guard Hex.isLowercase(loweredSignature, count: 64) else {
            throw malformed("the Signature must be 64 hexadecimal digits.")
        }
        self.accessKeyID = String(Substring(accessKeyID))
        self.scope = CredentialScope(
            date: String(Substring(date)), region: String(Substring(region)), service: String(Substring(service)))
        self.terminator = String(Substring(terminator))
        self.signedHeaders = names
        self.signature = loweredSignature
        self.presigned = presigned
    }
}

extension String {
    /// `bytes` as text, `A`–`Z` as `a`–`z` (invalid UTF-8 repaired), written in place: a lazily
    /// mapped sequence goes through String's slow, non-contiguous path.
    init(asciiLowercasing bytes: some Collection<UInt8>) {
        self.init(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte.asciiLowercased }
            return bytes.count
        }
    }
}

extension UInt8 {
    /// A space or a tab.
    var isBlank: Bool { self == UInt8(ascii: " ") || self == UInt8(ascii: "\t") }

    /// `A`–`Z` as `a`–`z`; every other byte as it is.
    var asciiLowercased: UInt8 { self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
