/// Why a rules file was refused: where (`classifications.health.allowedCountries[2]`) and why.
public struct PlacementRulesError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case invalidJSON, unsupportedFormat, invalidRule }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The file is not a JSON object.
        public static let invalidJSON = Code(.invalidJSON)
        /// `format` is missing or not one this version reads.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// A value is missing, of the wrong type, unknown or out of range.
        public static let invalidRule = Code(.invalidRule)
        public var description: String { value.rawValue }
    }

    public var code: Code
    /// Where in the file, as `classifications.health.allowedCountries[2]`; empty for the whole file.
    public var path: String
    public var reason: String
    public var cause: (any Error)?

    public init(_ code: Code, path: String, reason: String, cause: (any Error)? = nil) {
        self.code = code
        self.path = path
        self.reason = reason
        self.cause = cause
    }

    /// `path: reason`, as shown to the operator.
    public var message: String { path.isEmpty ? reason : "\(path): \(reason)" }

    public var description: String { "\(code): \(message)" }
}

/// A decoding error at `decoder.codingPath + keys`, for rule validation.
func ruleError(_ decoder: any Decoder, _ keys: [any CodingKey], _ reason: String) -> DecodingError {
    DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + keys, debugDescription: reason))
}
