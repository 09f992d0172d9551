import Foundation

extension AccessControlPolicy {
    /// Reads a PutBucketAcl body. Only canonical-user grantees (`<ID>`) are accepted: there is no
    /// anonymous or group access, so a `<URI>` or `<EmailAddress>` grantee is NotImplemented.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> AccessControlPolicy {
        let document = try XMLNode.parse(data, root: "AccessControlPolicy")
        let ownerID = document.first("Owner")?.first("ID")?.trimmedText ?? ""
        var grants: [Grant] = []
        for node in document.first("AccessControlList")?.all("Grant") ?? [] {
            guard let grantee = node.first("Grantee") else { throw S3Error(.malformedACLError, "Each Grant needs a Grantee.") }
            guard let id = grantee.first("ID")?.trimmedText, !id.isEmpty else {
                throw S3Error(.notImplemented, "Only grants to user ids are supported: Souverain has no anonymous or group access.")
            }
            guard let permission = node.first("Permission").flatMap({ Permission(rawValue: $0.trimmedText) }) else {
                throw S3Error(.malformedACLError, "Each Grant needs a Permission among FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP.")
            }
            grants.append(Grant(grantee: S3Owner(id: id), permission: permission))
        }
        return AccessControlPolicy(owner: S3Owner(id: ownerID), grants: grants)
    }

    /// Reads `x-amz-grant-*` header values: `id="name", id="other"`. Nil for a value with a
    /// grantee kind other than `id`.
    public static func granteeIDs(inHeader value: String) -> [String]? {
        var ids: [String] = []
        for item in value.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "id" else { return nil }
            var id = pair[1]
            if id.count >= 2, id.hasPrefix("\""), id.hasSuffix("\"") { id = String(id.dropFirst().dropLast()) }
            guard !id.isEmpty else { return nil }
            ids.append(id)
        }
        return ids
    }
}
