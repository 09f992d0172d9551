import Foundation

// console-embed OUTPUT ROOT FILE...: writes OUTPUT, a Swift source holding every FILE (under ROOT)
// as a base64 string literal with its content type and an ETag. Run by ConsoleEmbedPlugin at
// build time (Plugins/ConsoleEmbedPlugin); base64 literals compile fast, array literals of bytes do not.

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: console-embed OUTPUT ROOT FILE...\n".utf8))
    exit(2)
}
let output = URL(fileURLWithPath: arguments[1])
let root = URL(fileURLWithPath: arguments[2]).standardizedFileURL.path
let files = arguments.dropFirst(3).map { URL(fileURLWithPath: $0).standardizedFileURL }

/// The media type a browser needs to use the file (module scripts are refused without a JavaScript type).
func contentType(of name: String) -> String {
    switch (name as NSString).pathExtension.lowercased() {
    case "html": "text/html; charset=utf-8"
    case "css": "text/css; charset=utf-8"
    case "js", "mjs": "text/javascript; charset=utf-8"
    case "json": "application/json"
    case "svg": "image/svg+xml"
    case "png": "image/png"
    case "ico": "image/x-icon"
    case "txt": "text/plain; charset=utf-8"
    default: "application/octet-stream"
    }
}

/// FNV-1a over the bytes: an ETag only has to change when the file does (not a security check).
func fingerprint(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

var source = """
    // Generated at build time by console-embed from Sources/SouverainConsole/Console: do not edit.

    extension ConsoleAssets {
        /// The console's files by path under /console/, as built into this binary.
        static let embedded: [String: EmbeddedFile] = [

    """
for file in files {
    guard file.path.hasPrefix(root + "/") else {
        FileHandle.standardError.write(Data("console-embed: \(file.path) is not under \(root)\n".utf8))
        exit(1)
    }
    let name = String(file.path.dropFirst(root.count + 1))
    let data: Data
    do {
        data = try Data(contentsOf: file)
    } catch {
        FileHandle.standardError.write(Data("console-embed: cannot read \(file.path): \(error)\n".utf8))
        exit(1)
    }
    source += "        \"\(name)\": EmbeddedFile(contentType: \"\(contentType(of: name))\", etag: \"\\\"\(fingerprint(data))\\\"\",\n"
    source += "                               base64: \"\(data.base64EncodedString())\"),\n"
}
if files.isEmpty { source += "        :\n" }
source += "    ]\n}\n"
do {
    try source.write(to: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("console-embed: cannot write \(output.path): \(error)\n".utf8))
    exit(1)
}
