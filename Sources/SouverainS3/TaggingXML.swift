/// Object tags on the wire: the `<Tagging>` body of Put/GetObjectTagging and the URL-encoded
/// query form of the `x-amz-tagging` header (PutObject, CreateMultipartUpload, CopyObject), both
/// checked against S3's rules.
///
/// | rule | refusal |
/// |---|---|
/// | body not XML, root not `Tagging`, no `TagSet`, a `Tag` without `Key` or `Value`, or with other children | MalformedXML |
/// | more than `limit` tags (10 on an object) | InvalidTag |
/// | a key empty or over 128 Unicode characters, a value over 256 | InvalidTag |
/// | the same key twice | InvalidTag |
/// | a key starting with `aws:` (reserved for AWS) | InvalidTag |
/// | a header that is not valid percent-encoded UTF-8 | InvalidArgument |
public enum TaggingXML {
    /// Most tags an object may carry.
    public static let objectTagLimit = 10
    public static let maximumKeyLength = 128
    public static let maximumValueLength = 256

    /// The tag set of a PutObjectTagging body.
    public static func parse(_ data: [UInt8], limit: Int = objectTagLimit) throws(S3Error) -> [String: String] {
        let document = try XMLNode.parse(data, root: "Tagging")
        guard let tagSet = document.first("TagSet") else {
            throw S3Error(.malformedXML, "The Tagging element needs a TagSet.")
        }
        var pairs: [(key: String, value: String)] = []
        for child in tagSet.children {
            guard child.name == "Tag" else { throw S3Error(.malformedXML, "A TagSet holds only Tag elements, not <\(child.name)>.") }
            guard child.children.allSatisfy({ $0.name == "Key" || $0.name == "Value" }),
                  child.all("Key").count == 1, child.all("Value").count == 1,
                  let key = child.first("Key")?.text, let value = child.first("Value")?.text
            else {
                throw S3Error(.malformedXML, "Each Tag needs exactly one Key and one Value.")
            }
            pairs.append((key, value))
        }
        return try validated(pairs, limit: limit)
    }

    /// The tag set of an `x-amz-tagging` header: `key1=value1&key2=value2`, URL-encoded; a key
    /// without `=` has an empty value. An empty header is an empty set.
    public static func parseHeader(_ header: String, limit: Int = objectTagLimit) throws(S3Error) -> [String: String] {
        guard !header.isEmpty else { return [:] }
        guard let pairs = S3URLEncoding.parseQueryStrict(header) else {
            throw S3Error(.invalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters.",
                          extra: [("ArgumentName", "x-amz-tagging"), ("ArgumentValue", header)])
        }
        return try validated(pairs.map { ($0.name, $0.value) }, limit: limit)
    }

    /// The tags as S3 rules allow them, in a dictionary; refused with InvalidTag otherwise.
    public static func validated(_ pairs: [(key: String, value: String)], limit: Int = objectTagLimit) throws(S3Error) -> [String: String] {
        guard pairs.count <= limit else {
            throw S3Error(.invalidTag, "Object tags cannot be greater than \(limit)")
        }
        var tags: [String: String] = [:]
        for (key, value) in pairs {
            guard !key.isEmpty else { throw S3Error(.invalidTag, "The TagKey you have provided is invalid") }
            guard key.unicodeScalars.count <= maximumKeyLength else {
                throw S3Error(.invalidTag, "The TagKey you have provided is too long, max \(maximumKeyLength)")
            }
            guard value.unicodeScalars.count <= maximumValueLength else {
                throw S3Error(.invalidTag, "The TagValue you have provided is too long, max \(maximumValueLength)")
            }
            guard !key.lowercased().hasPrefix("aws:") else {
                throw S3Error(.invalidTag, "Your TagKey cannot be prefixed with aws:")
            }
            guard tags.updateValue(value, forKey: key) == nil else {
                throw S3Error(.invalidTag, "Cannot provide multiple Tags with the same key")
            }
        }
        return tags
    }

    /// The GetObjectTagging answer: the tags in key order (UTF-8 byte order).
    public static func xml(_ tags: [String: String]) -> String {
        var writer = XMLWriter(root: "Tagging")
        writer.open("TagSet")
        for key in tags.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            writer.open("Tag")
            writer.element("Key", key)
            writer.element("Value", tags[key]!)
            writer.close("Tag")
        }
        writer.close("TagSet")
        return writer.finish(closing: "Tagging")
    }

    /// The `x-amz-tagging-directive` of CopyObject.
    public enum Directive: String, Sendable {
        /// The copy keeps the source version's tags (the default).
        case copy = "COPY"
        /// The copy gets the tags of the request's `x-amz-tagging` (none without it).
        case replace = "REPLACE"

        /// COPY when absent; InvalidArgument for any other value.
        public static func parse(_ header: String?) throws(S3Error) -> Directive {
            guard let header else { return .copy }
            guard let directive = Directive(rawValue: header.uppercased()) else {
                throw S3Error(.invalidArgument, "Unknown tagging directive.",
                              extra: [("ArgumentName", "x-amz-tagging-directive"), ("ArgumentValue", header)])
            }
            return directive
        }
    }
}
