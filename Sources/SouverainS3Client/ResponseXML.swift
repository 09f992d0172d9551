/// One element of an S3 response document: its local name (namespace prefix dropped), its own
/// text with entities decoded, and its child elements in order.
struct ResponseXML: Sendable, Equatable {
    var name: String
    var text: String
    var children: [ResponseXML]

    /// The first child named `name`.
    func first(_ name: String) -> ResponseXML? { children.first { $0.name == name } }

    /// Every child named `name`, in order.
    func all(_ name: String) -> [ResponseXML] { children.filter { $0.name == name } }

    /// The text of the first child named `name`, if there is one.
    func string(_ name: String) -> String? { first(name)?.text }

    /// Parses a response document: a prolog, comments, processing instructions, a DOCTYPE and
    /// CDATA sections are accepted; attributes are skipped. Nil when the document is not
    /// well-formed enough to read (unclosed or mismatched tags, nesting deeper than 64).
    static func parse(_ bytes: [UInt8]) -> ResponseXML? {
        var parser = Parser(bytes: bytes)
        return parser.document()
    }
}

private struct Parser {
    let bytes: [UInt8]
    var index = 0
    var stack: [ResponseXML] = []
    var textBytes: [[UInt8]] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() -> ResponseXML? {
        var root: ResponseXML?
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { index += 1 }
                if !stack.isEmpty { textBytes[textBytes.count - 1] += bytes[start..<index] }
                continue
            }
            if starts(with: "<?") {
                guard skip(past: "?>") else { return nil }
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return nil }
            } else if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                guard skip(past: "]]>") else { return nil }
                if !stack.isEmpty { textBytes[textBytes.count - 1] += markEscaped(bytes[start..<(index - 3)]) }
            } else if starts(with: "<!") {
                guard skip(past: ">") else { return nil }
            } else if starts(with: "</") {
                index += 2
                guard let name = readName(), skipSpaces(), consume(UInt8(ascii: ">")),
                      var element = stack.popLast(), let text = textBytes.popLast(),
                      element.name == name
                else { return nil }
                element.text = Self.decode(text)
                if stack.isEmpty {
                    guard root == nil else { return nil }
                    root = element
                } else {
                    stack[stack.count - 1].children.append(element)
                }
            } else {
                index += 1
                guard let name = readName(), stack.count < 64 else { return nil }
                var selfClosing = false
                while true {
                    guard index < bytes.count else { return nil }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: ">") { index += 1; break }
                    if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") {
                        index += 2
                        selfClosing = true
                        break
                    }
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                        index += 1
                        while index < bytes.count, bytes[index] != byte { index += 1 }
                    }
                    index += 1
                }
                let element = ResponseXML(name: name, text: "", children: [])
                if selfClosing {
                    if stack.isEmpty {
                        guard root == nil else { return nil }
                        root = element
                    } else {
                        stack[stack.count - 1].children.append(element)
                    }
                } else {
                    stack.append(element)
                    textBytes.append([])
                }
            }
        }
        return stack.isEmpty ? root : nil
    }

    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return prefix.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    private mutating func skip(past terminator: StaticString) -> Bool {
        while index < bytes.count {
            if starts(with: terminator) {
                index += terminator.utf8CodeUnitCount
                return true
            }
            index += 1
        }
        return false
    }

    private mutating func skipSpaces() -> Bool {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return true
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A tag name, without its namespace prefix.
    private mutating func readName() -> String? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || [0x20, 0x09, 0x0A, 0x0D].contains(byte) { break }
            index += 1
        }
        guard index > start else { return nil }
        let local = bytes[start..<index].lastIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? start
        return String(decoding: bytes[local..<index], as: UTF8.self)
    }

    /// CDATA text, with `&` escaped so that `decode` leaves it as it was.
    private func markEscaped(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        for byte in raw {
            if byte == UInt8(ascii: "&") { out += Array("&amp;".utf8) } else { out.append(byte) }
        }
        return out
    }

    /// Text with the five named entities and numeric character references decoded; an unknown
    /// entity is kept as written.
    static func decode(_ raw: [UInt8]) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "&"),
                  let end = raw[index...].prefix(12).firstIndex(of: UInt8(ascii: ";"))
            else {
                out.append(byte)
                index += 1
                continue
            }
            let entity = String(decoding: raw[(index + 1)..<end], as: UTF8.self)
            if let replacement = Self.entity(entity) {
                out += Array(replacement.utf8)
                index = end + 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func entity(_ name: String) -> String? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
    }
}
