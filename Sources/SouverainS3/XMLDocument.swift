/// A parsed XML request body: elements by local name (namespace prefixes dropped) and their text.
///
/// Read by a small strict XML 1.0 reader written for S3's request bodies: no DTD (a DOCTYPE is
/// refused), only the five predefined entities and character references, attributes read and
/// ignored, comments and processing instructions skipped. It keeps no global state, unlike
/// FoundationXML's libxml2 on Linux.
struct XMLNode {
    var name: String
    var children: [XMLNode] = []
    /// The text directly inside this element (CDATA and references included), untrimmed;
    /// line ends normalized to LF as XML requires (a CR survives only as `&#xD;`).
    var text: String = ""

    func first(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// Refuses (MalformedXML) a child element not named in `names`.
    func requireChildren(in names: Set<String>) throws(S3Error) {
        if let unknown = children.first(where: { !names.contains($0.name) }) {
            throw S3Error(.malformedXML, "<\(unknown.name)> is not allowed in <\(name)>.")
        }
    }

    /// The one child named `name`, nil when absent; MalformedXML when there are several.
    func single(_ name: String) throws(S3Error) -> XMLNode? {
        let matches = all(name)
        guard matches.count <= 1 else { throw S3Error(.malformedXML, "<\(self.name)> can hold one <\(name)>.") }
        return matches.first
    }

    /// The text without leading and trailing XML whitespace (space, tab, CR, LF).
    var trimmedText: String {
        let bytes = text.utf8
        guard let start = bytes.firstIndex(where: { !XMLReader.isSpace($0) }),
              let end = bytes.lastIndex(where: { !XMLReader.isSpace($0) })
        else { return "" }
        return String(text[start...end])
    }

    /// The deepest nesting a request body may have.
    static let maximumDepth = 16

    /// Parses a body whose root must be `root`. Every error is MalformedXML.
    static func parse(_ data: [UInt8], root: String) throws(S3Error) -> XMLNode {
        var reader = XMLReader(data)
        let document: XMLNode
        do {
            document = try reader.document()
        } catch {
            throw S3Error(.malformedXML, "The XML you provided was not well-formed: \(error.reason) (at byte \(error.offset)).")
        }
        guard document.name == root else {
            throw S3Error(.malformedXML, "The root element must be <\(root)>, not <\(document.name)>.")
        }
        return document
    }
}

struct XMLReaderError: Error {
    let reason: String
    let offset: Int
}

/// The reader behind `XMLNode.parse`: one pass over the bytes, no recursion.
struct XMLReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    mutating func document() throws(XMLReaderError) -> XMLNode {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw failure("the body is not valid UTF-8") }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        if starts(with: "<?xml"), index + 5 < bytes.count, Self.isSpace(bytes[index + 5]) || bytes[index + 5] == UInt8(ascii: "?") {
            try skipProcessingInstruction()
        }
        try skipMisc()
        guard index < bytes.count else { throw failure("there is no root element") }
        let root = try element()
        try skipMisc()
        guard index == bytes.count else { throw failure("there is content after the root element") }
        return root
    }

    // MARK: - Elements

    /// Reads the element at `index` and everything inside it, iteratively.
    private mutating func element() throws(XMLReaderError) -> XMLNode {
        var stack: [(qualifiedName: String, node: XMLNode, text: [UInt8])] = []
        var (name, selfClosing) = try startTag()
        if selfClosing { return XMLNode(name: Self.localName(name)) }
        stack.append((name, XMLNode(name: Self.localName(name)), []))

        while true {
            guard index < bytes.count else { throw failure("the document ends inside <\(stack.last!.qualifiedName)>") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                if starts(with: "</") {
                    index += 2
                    let endName = try self.name()
                    skipSpaces()
                    try expect(">")
                    var (openName, node, text) = stack.removeLast()
                    guard endName == openName else { throw failure("</\(endName)> closes <\(openName)>") }
                    node.text = String(decoding: text, as: UTF8.self)
                    if stack.isEmpty { return node }
                    stack[stack.count - 1].node.children.append(node)
                } else if starts(with: "<![CDATA[") {
                    index += 9
                    guard let end = find("]]>") else { throw failure("unterminated CDATA section") }
                    try appendText(from: index, to: end, into: &stack[stack.count - 1].text)
                    index = end + 3
                } else if starts(with: "<!--") {
                    try skipComment()
                } else if starts(with: "<?") {
                    try skipProcessingInstruction()
                } else if starts(with: "<!") {
                    throw failure("declarations are not allowed")
                } else {
                    guard stack.count < XMLNode.maximumDepth else { throw failure("elements are nested too deeply") }
                    (name, selfClosing) = try startTag()
                    if selfClosing {
                        stack[stack.count - 1].node.children.append(XMLNode(name: Self.localName(name)))
                    } else {
                        stack.append((name, XMLNode(name: Self.localName(name)), []))
                    }
                }
            } else if byte == UInt8(ascii: "&") {
                try reference(into: &stack[stack.count - 1].text)
            } else {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<"), bytes[index] != UInt8(ascii: "&") {
                    if bytes[index] == UInt8(ascii: ">"), index - start >= 2,
                       bytes[index - 1] == UInt8(ascii: "]"), bytes[index - 2] == UInt8(ascii: "]") {
                        throw failure("']]>' is not allowed in text")
                    }
                    index += 1
                }
                try appendText(from: start, to: index, into: &stack[stack.count - 1].text)
            }
        }
    }

    /// Reads `<name attr="value" ...>` or `<name .../>`; attributes are checked and dropped.
    private mutating func startTag() throws(XMLReaderError) -> (name: String, selfClosing: Bool) {
        try expect("<")
        let name = try self.name()
        while true {
            let hadSpace = skipSpaces()
            guard index < bytes.count else { throw failure("the document ends inside <\(name)>") }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                return (name, false)
            }
            if starts(with: "/>") {
                index += 2
                return (name, true)
            }
            guard hadSpace else { throw failure("attributes must be separated by spaces") }
            _ = try self.name()
            skipSpaces()
            try expect("=")
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw failure("attribute values must be quoted")
            }
            let quote = bytes[index]
            index += 1
            var ignored: [UInt8] = []
            while true {
                guard index < bytes.count else { throw failure("unterminated attribute value") }
                let byte = bytes[index]
                if byte == quote { index += 1; break }
                if byte == UInt8(ascii: "<") { throw failure("'<' is not allowed in attribute values") }
                if byte == UInt8(ascii: "&") {
                    try reference(into: &ignored)
                } else {
                    try appendText(from: index, to: index + 1, into: &ignored)
                    index += 1
                }
            }
        }
    }

    /// An XML name: a letter, '_' or ':' (or any non-ASCII byte), then also digits, '-' and '.'.
    private mutating func name() throws(XMLReaderError) -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isStart = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
            let isLater = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isStart || (index > start && isLater) else { break }
            index += 1
        }
        guard index > start else { throw failure("a name was expected") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func localName(_ qualifiedName: String) -> String {
        guard let colon = qualifiedName.utf8.lastIndex(of: UInt8(ascii: ":")) else { return qualifiedName }
        return String(qualifiedName[qualifiedName.utf8.index(after: colon)...])
    }

    // MARK: - Text

    /// Appends raw text, refusing characters XML 1.0 forbids and normalizing CR and CRLF to LF.
    private func appendText(from start: Int, to end: Int, into text: inout [UInt8]) throws(XMLReaderError) {
        var position = start
        while position < end {
            let byte = bytes[position]
            if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                throw XMLReaderError(reason: "control character 0x\(String(byte, radix: 16)) is not allowed", offset: position)
            }
            if byte == 0xEF, position + 2 < bytes.count, bytes[position + 1] == 0xBF, bytes[position + 2] >= 0xBE {
                throw XMLReaderError(reason: "U+FFFE and U+FFFF are not allowed", offset: position)
            }
            if byte == 0x0D {
                text.append(0x0A)
                if position + 1 < end, bytes[position + 1] == 0x0A { position += 1 }
            } else {
                text.append(byte)
            }
            position += 1
        }
    }

    /// `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` `&#N;` `&#xH;`; anything else is an undefined entity.
    private mutating func reference(into text: inout [UInt8]) throws(XMLReaderError) {
        let start = index
        guard let semicolon = bytes[index..<min(bytes.count, index + 12)].firstIndex(of: UInt8(ascii: ";")) else {
            throw failure("'&' must start a reference such as &amp;")
        }
        let body = bytes[(index + 1)..<semicolon]
        index = semicolon + 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": text.append(UInt8(ascii: "<"))
        case "gt": text.append(UInt8(ascii: ">"))
        case "amp": text.append(UInt8(ascii: "&"))
        case "apos": text.append(UInt8(ascii: "'"))
        case "quot": text.append(UInt8(ascii: "\""))
        case let reference where reference.hasPrefix("#"):
            let isHex = reference.hasPrefix("#x")
            let digits = reference.dropFirst(isHex ? 2 : 1)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ isHex ? $0.isHexDigit : ($0 >= 0x30 && $0 <= 0x39) }),
                  let value = UInt32(digits, radix: isHex ? 16 : 10),
                  let scalar = Unicode.Scalar(value), Self.isXMLChar(value)
            else { throw XMLReaderError(reason: "&\(reference); is not a valid character", offset: start) }
            text.append(contentsOf: String(Character(scalar)).utf8)
        case let name:
            throw XMLReaderError(reason: "undefined entity &\(name);", offset: start)
        }
    }

    private static func isXMLChar(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    // MARK: - Skipping

    /// Whitespace, comments and processing instructions around the root; a DOCTYPE is refused.
    private mutating func skipMisc() throws(XMLReaderError) {
        while true {
            skipSpaces()
            if starts(with: "<!--") {
                try skipComment()
            } else if starts(with: "<?") {
                try skipProcessingInstruction()
            } else if starts(with: "<!") {
                throw failure("DOCTYPE and other declarations are not allowed")
            } else {
                return
            }
        }
    }

    private mutating func skipComment() throws(XMLReaderError) {
        index += 4
        guard let end = find("--") else { throw failure("unterminated comment") }
        guard end + 2 < bytes.count, bytes[end + 2] == UInt8(ascii: ">") else { throw failure("'--' is not allowed in comments") }
        index = end + 3
    }

    private mutating func skipProcessingInstruction() throws(XMLReaderError) {
        guard let end = find("?>") else { throw failure("unterminated processing instruction") }
        index = end + 2
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = index
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    // MARK: - Helpers

    private mutating func expect(_ literal: StaticString) throws(XMLReaderError) {
        guard starts(with: literal) else { throw failure("'\(literal)' was expected") }
        index += literal.utf8CodeUnitCount
    }

    private func starts(with literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    /// The offset of the next occurrence of `literal` at or after `index`.
    private func find(_ literal: StaticString) -> Int? {
        literal.withUTF8Buffer { needle in
            var position = index
            while position + needle.count <= bytes.count {
                if bytes[position] == needle[0], (1..<needle.count).allSatisfy({ bytes[position + $0] == needle[$0] }) {
                    return position
                }
                position += 1
            }
            return nil
        }
    }

    private func failure(_ reason: String) -> XMLReaderError {
        XMLReaderError(reason: reason, offset: index)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || ((self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "f"))
    }
}
