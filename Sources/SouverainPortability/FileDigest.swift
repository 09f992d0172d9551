import Crypto

/// The SHA-256 of a local file, read in 1 MiB pieces (never whole); a final symbolic link is refused.
enum FileDigest {
    struct Result: Sendable, Equatable {
        var size: Int64
        /// Lower-case hex.
        var sha256: String
    }

    static func sha256(of path: String) throws -> String { try digest(of: path).sha256 }

    static func digest(of path: String) throws -> Result {
        let file = try OpenFile(path: path)
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try POSIX.read(file.fd, into: $0, path: path) }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
            size += Int64(count)
        }
        return Result(size: size, sha256: Hex.encode(hasher.finalize()))
    }
}
