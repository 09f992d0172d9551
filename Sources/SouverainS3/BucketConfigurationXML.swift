/// The GetBucketLocation response.
public struct LocationConstraint: Sendable, Equatable {
    /// nil, "" and "us-east-1" give an empty element, as AWS answers for us-east-1.
    public var region: String?

    public init(region: String?) { self.region = region }

    public func xml() -> String {
        guard let region, !region.isEmpty, region != "us-east-1" else {
            return XMLWriter.emptyDocument(root: "LocationConstraint")
        }
        var writer = XMLWriter(root: "LocationConstraint")
        writer.append(text: region)
        return writer.finish(closing: "LocationConstraint")
    }
}

/// The GetBucketVersioning response.
public struct VersioningConfiguration: Sendable, Equatable {
    public enum Status: String, Sendable {
        case enabled = "Enabled"
        case suspended = "Suspended"
    }

    /// nil when versioning was never enabled: an empty element.
    public var status: Status?

    public init(status: Status? = nil) { self.status = status }

    public func xml() -> String {
        guard let status else { return XMLWriter.emptyDocument(root: "VersioningConfiguration") }
        var writer = XMLWriter(root: "VersioningConfiguration")
        writer.element("Status", status.rawValue)
        return writer.finish(closing: "VersioningConfiguration")
    }
}

/// The GetBucketAcl and GetObjectAcl response.
public struct AccessControlPolicy: Sendable, Equatable {
    public enum Permission: String, Sendable {
        case fullControl = "FULL_CONTROL"
        case read = "READ"
        case write = "WRITE"
        case readACP = "READ_ACP"
        case writeACP = "WRITE_ACP"
    }

    /// A grant to a canonical user, or to a group (AllUsers, AuthenticatedUsers) named by its URI.
    public struct Grant: Sendable, Equatable {
        public var grantee: S3Owner
        public var permission: Permission
        /// The group's URI for a group grant (then `grantee` is not used).
        public var groupURI: String?

        public init(grantee: S3Owner, permission: Permission) {
            self.grantee = grantee
            self.permission = permission
        }

        public init(groupURI: String, permission: Permission) {
            self.grantee = S3Owner(id: groupURI)
            self.permission = permission
            self.groupURI = groupURI
        }
    }

    public var owner: S3Owner
    public var grants: [Grant]

    /// The owner with FULL_CONTROL and nothing else, unless other grants are given.
    public init(owner: S3Owner, grants: [Grant]? = nil) {
        self.owner = owner
        self.grants = grants ?? [Grant(grantee: owner, permission: .fullControl)]
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "AccessControlPolicy")
        writer.owner("Owner", owner)
        writer.open("AccessControlList")
        for grant in grants {
            writer.open("Grant")
            if let uri = grant.groupURI {
                writer.open("Grantee", attributes: " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"")
                writer.element("URI", uri)
            } else {
                writer.open("Grantee", attributes: " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"")
                writer.element("ID", grant.grantee.id)
                writer.element("DisplayName", ifPresent: grant.grantee.displayName)
            }
            writer.close("Grantee")
            writer.element("Permission", grant.permission.rawValue)
            writer.close("Grant")
        }
        writer.close("AccessControlList")
        return writer.finish(closing: "AccessControlPolicy")
    }
}

/// The CreateBucket request body.
public enum CreateBucketConfiguration {
    /// The `<LocationConstraint>`, or nil when the body is empty or the element is absent or empty.
    /// Throws MalformedXML on anything that is not a `<CreateBucketConfiguration>` document.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> String? {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return nil }
        let document = try XMLNode.parse(data, root: "CreateBucketConfiguration")
        guard let constraint = document.first("LocationConstraint")?.trimmedText, !constraint.isEmpty else { return nil }
        return constraint
    }
}
