/// What the server sends for a console request: a status, headers and a body, independent of the
/// HTTP library (SouverainServer turns it into a Hummingbird response).
public struct ConsoleAnswer: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
