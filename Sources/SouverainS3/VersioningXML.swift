public import Foundation

/// The PutBucketVersioning request body.
public enum VersioningRequest {
    /// The Status asked for. MalformedXML without a valid Status; MFA Delete is refused
    /// (InvalidArgument when Enabled: Souverain has no MFA devices; Disabled is accepted).
    public static func parse(_ data: [UInt8]) throws(S3Error) -> VersioningConfiguration.Status {
        let document = try XMLNode.parse(data, root: "VersioningConfiguration")
        if let mfa = document.first("MfaDelete")?.trimmedText {
            switch mfa {
            case "Disabled": break
            case "Enabled":
                throw S3Error(.invalidArgument, "MFA Delete is not supported: Souverain has no MFA devices. Use Object Lock to protect versions.",
                              extra: [("ArgumentName", "MfaDelete"), ("ArgumentValue", mfa)])
            default: throw S3Error(.malformedXML, "MfaDelete must be Enabled or Disabled.")
            }
        }
        guard let raw = document.first("Status")?.trimmedText, let status = VersioningConfiguration.Status(rawValue: raw) else {
            throw S3Error(.malformedXML, "The VersioningConfiguration needs a Status of Enabled or Suspended.")
        }
        return status
    }
}

/// An Object Lock retention mode on the wire.
public enum ObjectLockMode: String, Sendable, Equatable {
    case governance = "GOVERNANCE"
    case compliance = "COMPLIANCE"
}

/// The Object Lock configuration of a bucket (Get/PutObjectLockConfiguration).
public struct ObjectLockConfigurationXML: Sendable, Equatable {
    public var mode: ObjectLockMode?
    public var days: Int?
    public var years: Int?

    public init(mode: ObjectLockMode? = nil, days: Int? = nil, years: Int? = nil) {
        self.mode = mode
        self.days = days
        self.years = years
    }

    /// MalformedXML unless ObjectLockEnabled is Enabled and a DefaultRetention, when present,
    /// has a mode and exactly one of Days and Years, a positive integer.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> ObjectLockConfigurationXML {
        let document = try XMLNode.parse(data, root: "ObjectLockConfiguration")
        guard document.first("ObjectLockEnabled")?.trimmedText == "Enabled" else {
            throw S3Error(.malformedXML, "ObjectLockEnabled must be Enabled.")
        }
        guard let retention = document.first("Rule")?.first("DefaultRetention") else { return ObjectLockConfigurationXML() }
        guard let rawMode = retention.first("Mode")?.trimmedText, let mode = ObjectLockMode(rawValue: rawMode) else {
            throw S3Error(.malformedXML, "DefaultRetention needs a Mode of GOVERNANCE or COMPLIANCE.")
        }
        func positive(_ name: String) throws(S3Error) -> Int? {
            guard let text = document.first("Rule")?.first("DefaultRetention")?.first(name)?.trimmedText else { return nil }
            guard let value = Int(text), value > 0, value <= 36_500 else {
                throw S3Error(.invalidArgument, "Default retention period must be a positive integer value.",
                              extra: [("ArgumentName", name), ("ArgumentValue", text)])
            }
            return value
        }
        let days = try positive("Days"), years = try positive("Years")
        guard (days == nil) != (years == nil) else {
            throw S3Error(.malformedXML, "DefaultRetention needs exactly one of Days and Years.")
        }
        return ObjectLockConfigurationXML(mode: mode, days: days, years: years)
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "ObjectLockConfiguration")
        writer.element("ObjectLockEnabled", "Enabled")
        if let mode {
            writer.open("Rule")
            writer.open("DefaultRetention")
            writer.element("Mode", mode.rawValue)
            if let days { writer.element("Days", days) }
            if let years { writer.element("Years", years) }
            writer.close("DefaultRetention")
            writer.close("Rule")
        }
        return writer.finish(closing: "ObjectLockConfiguration")
    }
}

/// The retention of one object version (Get/PutObjectRetention).
public struct RetentionXML: Sendable, Equatable {
    /// Both nil: no retention (a PUT that removes it, GOVERNANCE only).
    public var mode: ObjectLockMode?
    public var retainUntil: Date?

    public init(mode: ObjectLockMode?, retainUntil: Date?) {
        self.mode = mode
        self.retainUntil = retainUntil
    }

    /// MalformedXML when only one of Mode and RetainUntilDate is given or either is invalid.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> RetentionXML {
        let document = try XMLNode.parse(data, root: "Retention")
        let rawMode = document.first("Mode")?.trimmedText
        let rawDate = document.first("RetainUntilDate")?.trimmedText
        switch (rawMode, rawDate) {
        case (nil, nil):
            return RetentionXML(mode: nil, retainUntil: nil)
        case (let rawMode?, let rawDate?):
            guard let mode = ObjectLockMode(rawValue: rawMode) else {
                throw S3Error(.malformedXML, "Mode must be GOVERNANCE or COMPLIANCE.")
            }
            guard let date = S3Date.parseISO8601(rawDate) else {
                throw S3Error(.invalidArgument, "RetainUntilDate must be an ISO 8601 date and time.",
                              extra: [("ArgumentName", "RetainUntilDate"), ("ArgumentValue", rawDate)])
            }
            return RetentionXML(mode: mode, retainUntil: date)
        default:
            throw S3Error(.malformedXML, "A Retention needs both Mode and RetainUntilDate, or neither.")
        }
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "Retention")
        writer.element("Mode", ifPresent: mode?.rawValue)
        if let retainUntil { writer.element("RetainUntilDate", retainUntil) }
        return writer.finish(closing: "Retention")
    }
}

/// A legal hold (Get/PutObjectLegalHold).
public enum LegalHoldXML {
    /// ON or OFF; MalformedXML otherwise.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> Bool {
        let document = try XMLNode.parse(data, root: "LegalHold")
        switch document.first("Status")?.trimmedText {
        case "ON": return true
        case "OFF": return false
        default: throw S3Error(.malformedXML, "LegalHold Status must be ON or OFF.")
        }
    }

    public static func xml(on: Bool) -> String {
        var writer = XMLWriter(root: "LegalHold")
        writer.element("Status", on ? "ON" : "OFF")
        return writer.finish(closing: "LegalHold")
    }
}

/// The ListObjectVersions response: versions and delete markers in key order, each key's newest first.
public struct ListVersionsResult: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var versionID: String
        public var isLatest: Bool
        public var lastModified: Date
        /// nil for a delete marker.
        public var etag: String?
        public var size: Int64
        public var owner: S3Owner

        public init(key: String, versionID: String, isLatest: Bool, lastModified: Date, etag: String?, size: Int64, owner: S3Owner) {
            self.key = key
            self.versionID = versionID
            self.isLatest = isLatest
            self.lastModified = lastModified
            self.etag = etag
            self.size = size
            self.owner = owner
        }
    }

    public var name: String
    public var prefix: String
    public var keyMarker: String
    public var versionIDMarker: String
    public var maxKeys: Int
    public var delimiter: String?
    public var isTruncated: Bool
    public var nextKeyMarker: String?
    public var nextVersionIDMarker: String?
    public var entries: [Entry]
    public var commonPrefixes: [String]
    public var urlEncodeKeys: Bool

    public init(name: String, prefix: String, keyMarker: String, versionIDMarker: String, maxKeys: Int, delimiter: String?,
                isTruncated: Bool, nextKeyMarker: String?, nextVersionIDMarker: String?, entries: [Entry],
                commonPrefixes: [String], urlEncodeKeys: Bool) {
        self.name = name
        self.prefix = prefix
        self.keyMarker = keyMarker
        self.versionIDMarker = versionIDMarker
        self.maxKeys = maxKeys
        self.delimiter = delimiter
        self.isTruncated = isTruncated
        self.nextKeyMarker = nextKeyMarker
        self.nextVersionIDMarker = nextVersionIDMarker
        self.entries = entries
        self.commonPrefixes = commonPrefixes
        self.urlEncodeKeys = urlEncodeKeys
    }

    public func xml() -> String {
        let encode = ListingEncoder(enabled: urlEncodeKeys)
        var writer = XMLWriter(root: "ListVersionsResult")
        writer.element("Name", name)
        writer.element("Prefix", encode(prefix))
        writer.element("KeyMarker", encode(keyMarker))
        writer.element("VersionIdMarker", versionIDMarker)
        if let nextKeyMarker { writer.element("NextKeyMarker", encode(nextKeyMarker)) }
        if let nextVersionIDMarker { writer.element("NextVersionIdMarker", nextVersionIDMarker) }
        writer.element("MaxKeys", maxKeys)
        if let delimiter, !delimiter.isEmpty { writer.element("Delimiter", encode(delimiter)) }
        writer.element("IsTruncated", isTruncated)
        for entry in entries {
            let element = entry.etag == nil ? "DeleteMarker" : "Version"
            writer.open(element)
            writer.element("Key", encode(entry.key))
            writer.element("VersionId", entry.versionID)
            writer.element("IsLatest", entry.isLatest)
            writer.element("LastModified", entry.lastModified)
            if let etag = entry.etag {
                writer.etag(etag)
                writer.element("Size", entry.size)
                writer.element("StorageClass", "STANDARD")
            }
            writer.owner("Owner", entry.owner)
            writer.close(element)
        }
        writer.commonPrefixes(commonPrefixes, encode: encode)
        if urlEncodeKeys { writer.element("EncodingType", "url") }
        return writer.finish(closing: "ListVersionsResult")
    }
}
