/// An owner or initiator as it appears in S3 XML: `<ID>` and an optional `<DisplayName>`.
public struct S3Owner: Sendable, Equatable {
    public var id: String
    /// Omitted from the XML when nil (AWS is phasing DisplayName out).
    public var displayName: String?

    public init(id: String, displayName: String? = nil) {
        self.id = id
        self.displayName = displayName
    }
}
