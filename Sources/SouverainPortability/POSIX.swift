#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few system calls an export needs, each turning a failure into `PortabilityError(.io)` with
/// errno. Files are read and written with them so that a path is used byte for byte and a
/// symbolic link in an export is never followed.
enum POSIX {
    static func error(_ what: String, _ path: String, errno code: Int32 = errno) -> PortabilityError {
        PortabilityError(.io, "Cannot \(what) \(path): \(String(cString: strerror(code))) (errno \(code)).")
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        while true {
            #if canImport(Glibc)
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            #else
            let fd = Darwin.open(path, flags | O_CLOEXEC, mode)
            #endif
            if fd >= 0 { return fd }
            if errno != EINTR { throw error("open", path) }
        }
    }

    /// Creates a new file for writing; fails if anything is at `path`, even a symbolic link.
    static func create(_ path: String) throws -> Int32 {
        try open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW)
    }

    /// Opens a file for reading, refusing a symbolic link.
    static func openForReading(_ path: String) throws -> Int32 {
        try open(path, O_RDONLY | O_NOFOLLOW)
    }

    /// Opens a file for appending, creating it if needed.
    static func openForAppending(_ path: String) throws -> Int32 {
        try open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW)
    }

    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }

    /// Writes every byte of `bytes`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var written = 0
        while written < bytes.count {
            #if canImport(Glibc)
            let result = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
            #else
            let result = Darwin.write(fd, bytes.baseAddress! + written, bytes.count - written)
            #endif
            if result < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            written += result
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            #if canImport(Glibc)
            let result = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            #else
            let result = Darwin.read(fd, buffer.baseAddress!, buffer.count)
            #endif
            if result >= 0 { return result }
            if errno != EINTR { throw error("read", path) }
        }
    }

    static func sync(_ fd: Int32, path: String) throws {
        #if canImport(Darwin)
        let result = fcntl(fd, F_FULLFSYNC)
        #else
        let result = fsync(fd)
        #endif
        if result != 0 { throw error("sync", path) }
    }

    static func rename(_ from: String, _ to: String) throws {
        #if canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Darwin.rename(from, to)
        #endif
        if result != 0 { throw error("rename \(from) to", to) }
    }

    /// Removes a file; a missing one is not an error.
    static func unlink(_ path: String) throws {
        #if canImport(Glibc)
        let result = Glibc.unlink(path)
        #else
        let result = Darwin.unlink(path)
        #endif
        if result != 0, errno != ENOENT { throw error("remove", path) }
    }

    /// Removes a directory if it is empty; anything else stays.
    static func removeEmptyDirectory(_ path: String) {
        _ = rmdir(path)
    }

    /// What is at `path`, without following a final symbolic link; nil when nothing is.
    static func status(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    static func size(_ info: stat) -> Int64 { Int64(info.st_size) }

    static func isRegularFile(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }
    static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }

    /// Whether `relative` (`/`-separated, already checked safe) names a regular file under `root`
    /// reached through real directories only: no component is a symbolic link, so a tampered
    /// export cannot lead a read outside itself.
    static func isPlainFile(root: String, relative: String) -> Bool {
        var path = root
        let components = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, component) in components.enumerated() {
            path += "/" + String(decoding: component, as: UTF8.self)
            guard let info = status(path) else { return false }
            if index == components.count - 1 { return isRegularFile(info) }
            guard isDirectory(info) else { return false }
        }
        return false
    }

    /// Creates `path` and its missing parents (mode 0755). An existing directory is fine; anything
    /// else in the way (a file, a symbolic link) is an error.
    static func makeDirectories(_ path: String) throws {
        if let info = status(path) {
            guard isDirectory(info) else { throw PortabilityError(.io, "Cannot create the directory \(path): something else is there.") }
            return
        }
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex {
            try makeDirectories(String(decoding: path.utf8[..<slash], as: UTF8.self))
        }
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw error("create the directory", path) }
    }
}
