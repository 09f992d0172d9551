/// Why a registry file was refused: which provider, which field, and what is wrong.
public struct ProviderRegistryError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidJSON, unsupportedFormat, invalidProvider, duplicateProvider, missingOnPremise
            case unknownSource, resourceMissing
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The file is not JSON, or not an object.
        public static let invalidJSON = Code(.invalidJSON)
        /// `format` is missing or not one this version reads.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// A provider has a missing, unknown or malformed value.
        public static let invalidProvider = Code(.invalidProvider)
        public static let duplicateProvider = Code(.duplicateProvider)
        /// The synthetic `on-premise` provider is absent or not of kind on-premise.
        public static let missingOnPremise = Code(.missingOnPremise)
        /// A fact cites a source key that the `sources` map does not define.
        public static let unknownSource = Code(.unknownSource)
        /// The registry shipped with the module cannot be read.
        public static let resourceMissing = Code(.resourceMissing)
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// The provider concerned, when there is one (its id, or `providers[3]` if it has none).
    public var providerID: String?
    /// The field concerned, relative to the provider (`qualifications.hds.value.status`).
    public var field: String?
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, providerID: String? = nil, field: String? = nil, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.providerID = providerID
        self.field = field
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    static func invalid(_ providerID: String, _ field: String, _ reason: String) -> Self {
        ProviderRegistryError(
            .invalidProvider, providerID: providerID, field: field,
            "provider '\(providerID)', field \(field): \(reason)"
        )
    }
}
