#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls the trail needs, each turning a failure into `AuditError(.io)` with errno.
enum POSIX {
    static func error(_ what: String, _ path: String, errno code: Int32 = errno) -> AuditError {
        AuditError(.io, "\(what) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }

    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o640) throws(AuditError) -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw error("cannot open", path) }
        }
    }

    static func closeFile(_ fd: Int32) {
        _ = close(fd)
    }

    /// Writes every byte at the current position (O_APPEND files: at the end).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AuditError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw error("cannot write", path)
            }
            written += result
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, at offset: Int64, count: Int, path: String) throws(AuditError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = out.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw error("cannot read", path)
            }
            if result == 0 { break }
            filled += result
        }
        if filled < count { out.removeLast(count - filled) }
        return out
    }

    static func dataSync(_ fd: Int32, path: String) throws(AuditError) {
        #if canImport(Darwin)
        let result = fcntl(fd, F_FULLFSYNC)
        #else
        let result = fdatasync(fd)
        #endif
        if result != 0 { throw error("cannot fdatasync", path) }
    }

    static func fullSync(_ fd: Int32, path: String) throws(AuditError) {
        if fsync(fd) != 0 { throw error("cannot fsync", path) }
    }

    static func syncDirectory(_ path: String) throws(AuditError) {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        defer { closeFile(fd) }
        try fullSync(fd, path: path)
    }

    static func fileSize(_ fd: Int32, path: String) throws(AuditError) -> Int64 {
        var info = stat()
        if fstat(fd, &info) != 0 { throw error("cannot stat", path) }
        return Int64(info.st_size)
    }

    /// Permission bits of a file, or nil if it does not exist.
    static func fileMode(_ path: String) throws(AuditError) -> mode_t? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw error("cannot stat", path)
        }
        return info.st_mode & 0o7777
    }

    static func truncateFile(_ fd: Int32, to length: Int64, path: String) throws(AuditError) {
        if ftruncate(fd, off_t(length)) != 0 { throw error("cannot truncate", path) }
    }

    static func renameFile(_ from: String, _ to: String) throws(AuditError) {
        if rename(from, to) != 0 { throw error("cannot rename to \(to):", from) }
    }

    static func removeFile(_ path: String) throws(AuditError) {
        if unlink(path) != 0, errno != ENOENT { throw error("cannot remove", path) }
    }

    /// Creates the directory and its missing parents, syncing each parent that gained an entry.
    static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws(AuditError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            if mkdir(current, mode) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw error("cannot create directory", current)
            }
        }
    }

    /// The names in a directory, `.` and `..` excepted.
    static func listDirectory(_ path: String) throws(AuditError) -> [String] {
        guard let dir = opendir(path) else { throw error("cannot list", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

