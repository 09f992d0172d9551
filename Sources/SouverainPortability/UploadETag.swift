import Crypto

/// The entity tag an `Importer` upload of a local file gets from an S3 server: the MD5 of the
/// bytes when it is sent in one PutObject (at most one part), else the MD5 of the parts' MD5s
/// followed by `-` and the number of parts. Lets a re-run recognise what it already imported.
enum UploadETag {
    static func of(path: String, size: Int64, partSize: Int) throws -> String {
        let file = try OpenFile(path: path)
        var whole = Insecure.MD5()
        var part = Insecure.MD5()
        var partFill = 0
        var partDigests: [UInt8] = []
        var parts = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let multipart = size > Int64(partSize)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try POSIX.read(file.fd, into: $0, path: path) }
            if count == 0 { break }
            guard multipart else {
                buffer.withUnsafeBytes { whole.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                continue
            }
            var offset = 0
            while offset < count {
                let take = min(count - offset, partSize - partFill)
                buffer.withUnsafeBytes { part.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + take)])) }
                partFill += take
                offset += take
                if partFill == partSize {
                    partDigests += part.finalize()
                    parts += 1
                    part = Insecure.MD5()
                    partFill = 0
                }
            }
        }
        guard multipart else { return Hex.encode(whole.finalize()) }
        if partFill > 0 {
            partDigests += part.finalize()
            parts += 1
        }
        return Hex.encode(Insecure.MD5.hash(data: partDigests)) + "-\(parts)"
    }
}
