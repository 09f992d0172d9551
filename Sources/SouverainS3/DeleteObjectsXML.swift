/// The DeleteObjects request body.
public enum DeleteObjectsRequest {
    /// The most objects one request may name.
    public static let maximumObjects = 1000

    /// Quiet mode and the objects in the order sent. Keys are taken exactly as written (not
    /// trimmed); an empty VersionId is nil. MalformedXML when the document is malformed, an
    /// Object has no Key, Quiet is not true/false, or there are 0 or more than 1000 objects.
    public static func parse(_ data: [UInt8]) throws(S3Error) -> (quiet: Bool, objects: [(key: String, versionID: String?)]) {
        let document = try XMLNode.parse(data, root: "Delete")
        var quiet = false
        if let node = document.first("Quiet") {
            switch node.trimmedText.lowercased() {
            case "true": quiet = true
            case "false": quiet = false
            default: throw S3Error(.malformedXML, "Quiet must be true or false.")
            }
        }
        let nodes = document.all("Object")
        guard !nodes.isEmpty else { throw S3Error(.malformedXML, "The Delete document must name at least one Object.") }
        guard nodes.count <= maximumObjects else {
            throw S3Error(.malformedXML, "The Delete document names \(nodes.count) objects; the limit is \(maximumObjects).")
        }
        var objects: [(key: String, versionID: String?)] = []
        objects.reserveCapacity(nodes.count)
        for node in nodes {
            guard let key = node.first("Key")?.text else { throw S3Error(.malformedXML, "Each Object needs a Key.") }
            let versionID = node.first("VersionId")?.trimmedText
            objects.append((key, versionID?.isEmpty == false ? versionID : nil))
        }
        return (quiet, objects)
    }
}

/// The DeleteObjects response.
public struct DeleteResult: Sendable, Equatable {
    public struct Deleted: Sendable, Equatable {
        public var key: String
        public var versionID: String?
        public var deleteMarker: Bool?
        public var deleteMarkerVersionID: String?

        public init(key: String, versionID: String? = nil, deleteMarker: Bool? = nil, deleteMarkerVersionID: String? = nil) {
            self.key = key
            self.versionID = versionID
            self.deleteMarker = deleteMarker
            self.deleteMarkerVersionID = deleteMarkerVersionID
        }
    }

    public struct Failure: Sendable, Equatable {
        public var key: String
        public var versionID: String?
        public var code: S3ErrorCode
        public var message: String

        public init(key: String, versionID: String? = nil, code: S3ErrorCode, message: String? = nil) {
            self.key = key
            self.versionID = versionID
            self.code = code
            self.message = message ?? code.defaultMessage
        }
    }

    /// Quiet mode writes only the failures.
    public var quiet: Bool
    public var deleted: [Deleted]
    public var errors: [Failure]

    public init(quiet: Bool = false, deleted: [Deleted] = [], errors: [Failure] = []) {
        self.quiet = quiet
        self.deleted = deleted
        self.errors = errors
    }

    public func xml() -> String {
        var writer = XMLWriter(root: "DeleteResult")
        if !quiet {
            for object in deleted {
                writer.open("Deleted")
                writer.element("Key", object.key)
                writer.element("VersionId", ifPresent: object.versionID)
                if let deleteMarker = object.deleteMarker { writer.element("DeleteMarker", deleteMarker) }
                writer.element("DeleteMarkerVersionId", ifPresent: object.deleteMarkerVersionID)
                writer.close("Deleted")
            }
        }
        for failure in errors {
            writer.open("Error")
            writer.element("Key", failure.key)
            writer.element("VersionId", ifPresent: failure.versionID)
            writer.element("Code", failure.code.name)
            writer.element("Message", failure.message)
            writer.close("Error")
        }
        return writer.finish(closing: "DeleteResult")
    }
}
