import SouverainCatalogue
import SouverainEngine
import SouverainS3

extension ObjectHeaders {
    /// The headers that carry the SSE-C key of a copy's source.
    static let copySourceCustomerKeyPrefix = "x-amz-copy-source-server-side-encryption-customer-"

    /// The customer key to read a copy's source with (`x-amz-copy-source-server-side-encryption-
    /// customer-algorithm`, `-key`, `-key-MD5`), checked against the source as S3 checks it:
    /// missing for a source written with one, or sent for a source written without, is
    /// InvalidRequest (400); a key other than the source's is AccessDenied (403).
    static func copySourceKey(_ head: S3RequestHead, source: ObjectRecord) throws -> CustomerKey? {
        let key = try customerKey(head, prefix: copySourceCustomerKeyPrefix)
        let expected = source.metadata.customerKeyMD5
            ?? source.segments.lazy.compactMap({ $0.encryption?.customerKeyMD5 }).first
        switch (expected, key) {
        case (nil, nil):
            return nil
        case (nil, .some):
            throw S3Error(.invalidRequest, "The encryption parameters are not applicable to this object: the copy source was not stored with a customer-provided key.")
        case (.some, nil):
            throw S3Error(.invalidRequest, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object: send the copy source's key in the x-amz-copy-source-server-side-encryption-customer-* headers.")
        case (.some(let md5), .some(let key)):
            guard key.md5 == md5 else {
                throw S3Error(.accessDenied, "The provided copy source customer key does not match the key the object was stored with.")
            }
            return key
        }
    }
}
