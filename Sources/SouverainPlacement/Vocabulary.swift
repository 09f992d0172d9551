/// Decodes a closed set of string values; an unknown value is an error that lists the allowed ones.
func decodeVocabulary<Value: RawRepresentable & CaseIterable>(
    _ decoder: any Decoder
) throws -> Value where Value.RawValue == String {
    let container = try decoder.singleValueContainer()
    let raw = try container.decode(String.self)
    guard let value = Value(rawValue: raw) else {
        throw DecodingError.dataCorruptedError(
            in: container,
            debugDescription: "'\(raw)' is not one of \(vocabularyList(Value.self))"
        )
    }
    return value
}

func vocabularyList<Value: RawRepresentable & CaseIterable>(_: Value.Type) -> String where Value.RawValue == String {
    Value.allCases.map(\.rawValue).joined(separator: ", ")
}
