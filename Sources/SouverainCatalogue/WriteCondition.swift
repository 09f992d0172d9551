/// What a conditional write (PutObject, CompleteMultipartUpload with `If-None-Match` or
/// `If-Match`) requires of the key's current object, checked by the catalogue in the transaction
/// that makes the new object current, so that two writers cannot both pass it.
///
/// The current object is the key's current version when it is not a delete marker: a key whose
/// latest version is a delete marker has none, as in S3.
public struct WriteCondition: Sendable, Equatable {
    /// `If-None-Match: *`: the key must have no current object.
    public var requiresNoCurrentObject: Bool
    /// `If-Match`: the current object's ETag must be one of these (unquoted; `*` matches any);
    /// nil when the request has no If-Match.
    public var matchingETags: [String]?

    public init(requiresNoCurrentObject: Bool = false, matchingETags: [String]? = nil) {
        self.requiresNoCurrentObject = requiresNoCurrentObject
        self.matchingETags = matchingETags
    }

    /// Throws `.noCurrentObject` when If-Match finds no current object, `.preconditionFailed`
    /// when its ETag differs or when If-None-Match finds one. `currentETag` is the current
    /// object's ETag, nil when the key has none.
    public func check(currentETag: String?, key: String) throws {
        if let matchingETags {
            guard let currentETag else {
                throw CatalogueError(.noCurrentObject, "If-Match: \(key) has no current object")
            }
            guard matchingETags.contains(where: { $0 == "*" || $0 == currentETag }) else {
                throw CatalogueError(.preconditionFailed, "If-Match: the current object of \(key) has another ETag")
            }
        }
        if requiresNoCurrentObject, currentETag != nil {
            throw CatalogueError(.preconditionFailed, "If-None-Match: \(key) already has a current object")
        }
    }
}
