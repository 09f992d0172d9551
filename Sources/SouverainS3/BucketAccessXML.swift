/// A bucket's public access block (Put/Get/DeletePublicAccessBlock), with AWS's meaning:
/// `BlockPublicAcls` refuses a public ACL when it is set, `IgnorePublicAcls` makes public ACLs
/// grant nothing, `BlockPublicPolicy` refuses a public policy when it is set, and
/// `RestrictPublicBuckets` makes a public policy grant nothing to anonymous callers. Codable for
/// the catalogue (JSON).
public struct PublicAccessBlockConfiguration: Sendable, Equatable, Codable {
    public var blockPublicAcls: Bool
    public var ignorePublicAcls: Bool
    public var blockPublicPolicy: Bool
    public var restrictPublicBuckets: Bool

    public init(blockPublicAcls: Bool = false, ignorePublicAcls: Bool = false, blockPublicPolicy: Bool = false, restrictPublicBuckets: Bool = false) {
        self.blockPublicAcls = blockPublicAcls
        self.ignorePublicAcls = ignorePublicAcls
        self.blockPublicPolicy = blockPublicPolicy
        self.restrictPublicBuckets = restrictPublicBuckets
    }

    static let fields = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

    /// MalformedXML for a value other than true or false; an absent setting is false, as in AWS.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> PublicAccessBlockConfiguration {
        let document = try XMLNode.parse(data, root: "PublicAccessBlockConfiguration")
        var values: [Bool] = []
        for field in fields {
            switch document.first(field)?.trimmedText.lowercased() {
            case nil: values.append(false)
            case "true"?: values.append(true)
            case "false"?: values.append(false)
            default: throw S3Error(.malformedXML, "\(field) must be true or false.")
            }
        }
        return PublicAccessBlockConfiguration(
            blockPublicAcls: values[0], ignorePublicAcls: values[1], blockPublicPolicy: values[2], restrictPublicBuckets: values[3])
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "PublicAccessBlockConfiguration")
        writer.element("BlockPublicAcls", blockPublicAcls)
        writer.element("IgnorePublicAcls", ignorePublicAcls)
        writer.element("BlockPublicPolicy", blockPublicPolicy)
        writer.element("RestrictPublicBuckets", restrictPublicBuckets)
        return writer.finish(closing: "PublicAccessBlockConfiguration")
    }
}

/// Who owns the objects written to a bucket, and so whether ACLs count (Put/Get/DeleteBucketOwnershipControls).
public enum ObjectOwnership: String, Sendable, Equatable, CaseIterable {
    /// ACLs are disabled: the bucket's owner owns every object; only `private` (and
    /// `bucket-owner-full-control`) ACLs are accepted. AWS's default for new buckets, and Souverain's.
    case bucketOwnerEnforced = "BucketOwnerEnforced"
    /// ACLs count; objects written with `bucket-owner-full-control` belong to the bucket's owner.
    case bucketOwnerPreferred = "BucketOwnerPreferred"
    /// ACLs count; the writer owns what it writes.
    case objectWriter = "ObjectWriter"

    public var aclsEnabled: Bool { self != .bucketOwnerEnforced }

    /// MalformedXML without exactly one rule naming a known setting.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> ObjectOwnership {
        let document = try XMLNode.parse(data, root: "OwnershipControls")
        let rules = document.all("Rule")
        guard rules.count == 1, let text = rules[0].first("ObjectOwnership")?.trimmedText else {
            throw S3Error(.malformedXML, "OwnershipControls needs exactly one Rule with an ObjectOwnership.")
        }
        guard let ownership = ObjectOwnership(rawValue: text) else {
            throw S3Error(.malformedXML, "ObjectOwnership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not \(text).")
        }
        return ownership
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "OwnershipControls")
        writer.open("Rule")
        writer.element("ObjectOwnership", rawValue)
        writer.close("Rule")
        return writer.finish(closing: "OwnershipControls")
    }
}

/// The GetBucketPolicyStatus answer.
public struct PolicyStatus: Sendable, Equatable {
    public var isPublic: Bool

    public init(isPublic: Bool) {
        self.isPublic = isPublic
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "PolicyStatus")
        writer.element("IsPublic", isPublic)
        return writer.finish(closing: "PolicyStatus")
    }
}
