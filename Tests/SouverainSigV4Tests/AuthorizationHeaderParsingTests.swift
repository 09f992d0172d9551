import Testing
@testable import SouverainSigV4

/// The Authorization header is read as bytes. The reading it replaced split and trimmed
/// `Character`s; it is kept here, unchanged, as the reference: on well-formed headers, mutated ones
/// and hostile ones, both must accept the same headers with the same fields and refuse the same.
@Suite struct AuthorizationHeaderParsingTests {
    /// What a parse gave: the fields, or that it was refused as malformed.
    enum Outcome: Equatable {
        case parsed(accessKeyID: String, scope: [String], signedHeaders: [String], signature: String)
        case refused
    }

    static func outcome(_ header: String) -> Outcome {
        do {
            let auth = try ParsedAuthentication(authorizationHeader: header)
            return .parsed(
                accessKeyID: auth.accessKeyID, scope: [auth.scope.date, auth.scope.region, auth.scope.service, auth.terminator],
                signedHeaders: auth.signedHeaders, signature: auth.signature)
        } catch {
            #expect(error.code == .authorizationHeaderMalformed)
            return .refused
        }
    }

    static let signature = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static let wellFormed = [
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request,SignedHeaders=host;x-amz-date,Signature=\(signature)",
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/eu-central-1/s3/aws4_request, SignedHeaders=host, Signature=\(signature)",
        "  \tAWS4-HMAC-SHA256 Credential=a/b/c/20231114/r/s3/aws4_request ,\tSignedHeaders=Host;X-Amz-Date ,Signature=\(signature.uppercased()) ",
        "AWS4-HMAC-SHA256 Signature=\(signature),Credential=K\u{e9}y/20231114/r/s/aws4_request,SignedHeaders=host",
    ]

    @Test(arguments: wellFormed)
    func wellFormedHeadersGiveTheFieldsTheReferenceGives(_ header: String) {
        let outcome = Self.outcome(header)
        #expect(outcome != .refused)
        #expect(outcome == Reference.outcome(header))
    }

    @Test func theFieldsAreRead() {
        #expect(Self.outcome(Self.wellFormed[2]) == .parsed(
            accessKeyID: "a/b/c", scope: ["20231114", "r", "s3", "aws4_request"], signedHeaders: ["host", "x-amz-date"],
            signature: Self.signature))
    }

    @Test(arguments: SigV4RejectionTests.malformedAuthorizations)
    func malformedHeadersAreRefusedByBoth(_ header: String) {
        #expect(Self.outcome(header) == .refused)
        #expect(Reference.outcome(header) == .refused)
    }

    @Test func mutatedHeadersGiveWhatTheReferenceGives() {
        let alphabet = Array("AWS4-HMAC-SHA256 Credential=/;,=abcdefABCDEF0123456789 \t%:\u{0}\u{e9}\u{1F600}")
        var generator = SeededGenerator(seed: 0xA17)
        var parsed = 0
        for round in 0..<4_000 {
            let header = generator.mutate(
                Self.wellFormed[round % Self.wellFormed.count], alphabet: alphabet, edits: 1...3, mayKeep: true)
            let outcome = Self.outcome(header)
            if outcome != .refused { parsed += 1 }
            #expect(outcome == Reference.outcome(header), "\(header)")
        }
        // Both kinds were exercised: mutations that still parse, and refusals.
        #expect(parsed > 200 && parsed < 3_800)
    }

    /// The former reading, on `Character`s, as it was.
    enum Reference {
        static func outcome(_ value: String) -> Outcome {
            let trimmed = value.drop { $0 == " " || $0 == "\t" }
            guard trimmed.hasPrefix("AWS4-HMAC-SHA256 ") else { return .refused }
            var credential: Substring?
            var signedHeaders: Substring?
            var signature: Substring?
            for component in trimmed.dropFirst(17).split(separator: ",", omittingEmptySubsequences: false) {
                var part = component
                while let first = part.first, first == " " || first == "\t" { part.removeFirst() }
                while let last = part.last, last == " " || last == "\t" { part.removeLast() }
                guard let equals = part.firstIndex(of: "=") else { return .refused }
                let value = part[part.index(after: equals)...]
                switch part[..<equals] {
                case "Credential" where credential == nil: credential = value
                case "SignedHeaders" where signedHeaders == nil: signedHeaders = value
                case "Signature" where signature == nil: signature = value
                default: return .refused
                }
            }
            guard let credential, let signedHeaders, let signature else { return .refused }
            let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 5 else { return .refused }
            let accessKeyID = parts.dropLast(4).joined(separator: "/")
            let scope = parts.suffix(4).map(String.init)
            guard !accessKeyID.isEmpty, scope.allSatisfy({ !$0.isEmpty }) else { return .refused }
            guard scope[0].utf8.count == 8, scope[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .refused }
            var names: [String] = []
            for name in signedHeaders.split(separator: ";", omittingEmptySubsequences: false) {
                guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) else {
                    return .refused
                }
                names.append(name.lowercased())
            }
            let lowered = signature.lowercased()
            guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
                return .refused
            }
            return .parsed(accessKeyID: accessKeyID, scope: scope, signedHeaders: names, signature: lowered)
        }
    }
}
