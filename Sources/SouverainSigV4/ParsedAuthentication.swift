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
    init(authorizationHeader value: String) throws(SigV4Error) {
        let trimmed = value.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix(Self.algorithm + " ") else {
            let scheme = trimmed.prefix { $0 != " " }
            throw .headerMalformed(
                "the authorization mechanism '\(scheme.prefix(32))' is not supported; use \(Self.algorithm).")
        }
        var credential: Substring?
        var signedHeaders: Substring?
        var signature: Substring?
        let components = trimmed.dropFirst(Self.algorithm.count + 1).split(
            separator: ",", omittingEmptySubsequences: false)
        for component in components {
            let part = component.trimmingBlanks()
            guard let equals = part.firstIndex(of: "=") else {
                throw .headerMalformed("the component '\(part.prefix(64))' is not of the form Name=Value.")
            }
            let name = part[..<equals]
            let value = part[part.index(after: equals)...]
            switch name {
            case "Credential" where credential == nil: credential = value
            case "SignedHeaders" where signedHeaders == nil: signedHeaders = value
            case "Signature" where signature == nil: signature = value
            case "Credential", "SignedHeaders", "Signature":
                throw .headerMalformed("the component \(name) appears more than once.")
            default:
                throw .headerMalformed("the component '\(name.prefix(64))' is unknown.")
            }
        }
        guard let credential, let signedHeaders, let signature else {
            throw .headerMalformed("it must contain Credential, SignedHeaders and Signature.")
        }
        try self.init(
            credential: credential, signedHeaders: signedHeaders, signature: signature, presigned: nil,
            malformed: SigV4Error.headerMalformed)
    }

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
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5 else {
            throw malformed("the Credential must be of the form <access key>/<date>/<region>/<service>/aws4_request.")
        }
        let accessKeyID = parts.dropLast(4).joined(separator: "/")
        let scopeParts = parts.suffix(4).map(String.init)
        guard !accessKeyID.isEmpty, scopeParts.allSatisfy({ !$0.isEmpty }) else {
            throw malformed("the Credential has an empty part.")
        }
        guard scopeParts[0].utf8.count == 8, scopeParts[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw malformed("the Credential date must be of the form yyyyMMdd.")
        }
        var names: [String] = []
        for name in signedHeaders.split(separator: ";", omittingEmptySubsequences: false) {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) else {
                throw malformed("SignedHeaders must be a non-empty list of header names separated by ';'.")
            }
            names.append(name.lowercased())
        }
        let loweredSignature = signature.lowercased()
        guard Hex.isLowercase(loweredSignature, count: 64) else {
            throw malformed("the Signature must be 64 hexadecimal digits.")
        }
        self.accessKeyID = accessKeyID
        self.scope = CredentialScope(date: scopeParts[0], region: scopeParts[1], service: scopeParts[2])
        self.terminator = scopeParts[3]
        self.signedHeaders = names
        self.signature = loweredSignature
        self.presigned = presigned
    }
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
