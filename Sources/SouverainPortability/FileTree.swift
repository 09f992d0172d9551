#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything under a directory that is not a directory: regular files, and anything else
/// (symbolic links, devices, sockets), which an export never holds. Symbolic links are listed,
/// never followed.
enum FileTree {
    struct Entry: Sendable {
        /// Relative to the root, `/`-separated.
        var path: String
        var isRegularFile: Bool
    }

    /// Every entry under `root`; none when `root` does not exist.
    static func entries(under root: String) throws -> [Entry] {
        var out: [Entry] = []
        guard let info = POSIX.status(root), POSIX.isDirectory(info) else { return out }
        try walk(root, relative: "", into: &out)
        return out
    }

    private static func walk(_ directory: String, relative: String, into out: inout [Entry]) throws {
        guard let handle = opendir(directory) else { throw POSIX.error("list", directory) }
        defer { closedir(handle) }
        var subdirectories: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = relative.isEmpty ? name : relative + "/" + name
            guard let info = POSIX.status(directory + "/" + name) else { continue }
            if POSIX.isDirectory(info) {
                subdirectories.append(name)
            } else {
                out.append(Entry(path: path, isRegularFile: POSIX.isRegularFile(info)))
            }
        }
        for name in subdirectories {
            try walk(directory + "/" + name, relative: relative.isEmpty ? name : relative + "/" + name, into: &out)
        }
    }
}
