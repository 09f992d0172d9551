public import Crypto
import Foundation

/// SSE-C: a key the client sends with each request (AES-256, with its MD5). It wraps the blob's
/// data key in place of the bucket key; Souverain never stores it, only its MD5, so an object
/// written with it can be read only by whoever sends it again.
public struct CustomerKey: Sendable {
    public let key: SymmetricKey
    /// Base64 of the key's MD5, as S3 clients send and expect it.
    public let md5: String

    /// From the request's base64 key and base64 MD5; nil if the key is not 32 bytes or the MD5
    /// does not match.
    public init?(base64Key: String, base64MD5: String) {
        guard let bytes = Data(base64Encoded: base64Key), bytes.count == 32 else { return nil }
        let digest = Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
        guard digest == base64MD5 else { return nil }
        key = SymmetricKey(data: bytes)
        md5 = digest
    }
}
