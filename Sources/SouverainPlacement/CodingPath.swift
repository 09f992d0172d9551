/// A coding key for any name or index, to read objects key by key and to name positions in errors.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// Renders a coding path as `classifications.health.allowedCountries[2]`.
func renderPath(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return text
}

/// The path and a plain reason for a decoding error.
func describe(_ error: DecodingError) -> (path: [any CodingKey], reason: String) {
    switch error {
    case .typeMismatch(let type, let context):
        return (context.codingPath, "expected \(jsonTypeName(type))")
    case .valueNotFound(let type, let context):
        return (context.codingPath, "expected \(jsonTypeName(type)), found null")
    case .keyNotFound(let key, let context):
        return (context.codingPath + [key], "is missing")
    case .dataCorrupted(let context):
        return (context.codingPath, context.debugDescription)
    @unknown default:
        return ([], "\(error)")
    }
}

private func jsonTypeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Int.Type, is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    default:
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "a value of type \(name)"
    }
}

/// Fails when an object has keys other than `known`, so that a misspelt rule is never ignored.
func rejectUnknownKeys(_ decoder: any Decoder, known: Set<String>) throws {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
        throw DecodingError.dataCorrupted(.init(
            codingPath: decoder.codingPath + [key],
            debugDescription: "unknown key '\(key.stringValue)'; expected one of \(known.sorted().joined(separator: ", "))"
        ))
    }
}
