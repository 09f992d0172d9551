import Foundation

/// How an application names a named encryption key (docs/keys.md, "Named keys"): as AWS lets it
/// name a KMS key in `x-amz-server-side-encryption-aws-kms-key-id` or a bucket's default
/// encryption. Parsing is pure; the catalogue then says whether the key exists.
///
/// | written | meaning |
/// |---|---|
/// | `1234abcd-12ab-34cd-56ef-1234567890ab` | key id |
/// | `alias/NAME` | alias |
/// | `arn:aws:kms:REGION:ACCOUNT:key/ID` | key id (region and account are not checked) |
/// | `arn:aws:kms:REGION:ACCOUNT:alias/NAME` | alias |
///
/// A bare `NAME` is not an alias, as in AWS (which answers `KMS.NotFoundException: Invalid keyId
/// NAME`): it is taken as a key id, which no key has unless it is one.
public enum NamedKeyReference: Sendable, Hashable, CustomStringConvertible {
    case id(String)
    case alias(String)

    /// The account written in the ARNs Souverain answers with: there are no AWS accounts here.
    public static let account = "000000000000"

    /// Nil for text that cannot name a key at all (empty, an ARN of another service or shape).
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("arn:") {
            // arn:PARTITION:kms:REGION:ACCOUNT:RESOURCE
            let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count == 6, fields[2] == "kms" else { return nil }
            let resource = String(fields[5])
            if resource.hasPrefix("key/") {
                let id = String(resource.dropFirst(4))
                guard !id.isEmpty else { return nil }
                self = .id(id)
            } else if resource.hasPrefix("alias/") {
                let alias = String(resource.dropFirst(6))
                guard Self.isValidAlias(alias) else { return nil }
                self = .alias(alias)
            } else {
                return nil
            }
            return
        }
        if text.hasPrefix("alias/") {
            let alias = String(text.dropFirst(6))
            guard Self.isValidAlias(alias) else { return nil }
            self = .alias(alias)
            return
        }
        self = .id(text)
    }

    public var description: String {
        switch self {
        case .id(let id): id
        case .alias(let alias): "alias/" + alias
        }
    }

    /// A key's ARN, as answered in `x-amz-server-side-encryption-aws-kms-key-id`.
    public static func arn(keyID: String, region: String) -> String {
        "arn:aws:kms:\(region):\(account):key/\(keyID)"
    }

    /// The key id in an ARN of the form `arn(keyID:region:)` writes; nil for anything else.
    public static func keyID(inARN arn: String) -> String? {
        guard case .id(let id)? = NamedKeyReference(arn), arn.hasPrefix("arn:") else { return nil }
        return id
    }

    /// AWS alias names: 1 to 256 characters of letters, digits, `/`, `_` and `-`; `aws/` is AWS's own.
    public static func isValidAlias(_ alias: String) -> Bool {
        guard (1...250).contains(alias.utf8.count), !alias.hasPrefix("aws/") else { return false }
        return alias.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2F || byte == 0x5F || byte == 0x2D
        }
    }
}
