import Foundation

/// Which gateway this process is among several sharing a catalogue (docs/scale-out.md): its id,
/// shown in /health, in every log line and as the holder of the leases it takes, and where it
/// writes its audit trail.
///
/// The id is the `gateway-id` setting, or by default the host name and a hash of the data
/// directory's path (stable across restarts, different for two data directories on one host).
/// Only an explicit id moves the trail: to DATA/trails/ID, signed by DATA/trails/ID.key, so that
/// two gateways sharing a data directory never append to one chain; a gateway without one keeps
/// DATA/audit and DATA/audit.key, the layout of a single gateway, as before.
struct GatewayIdentity {
    let id: String
    let isExplicit: Bool

    init(_ settings: Settings) {
        if !settings.gatewayID.isEmpty {
            id = settings.gatewayID
            isExplicit = true
        } else {
            let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "gateway"
            let path = (settings.data as NSString).standardizingPath
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            id = Self.sanitized(host) + "-" + Self.fnv1a(absolute)
            isExplicit = false
        }
    }

    /// The trail's directory relative to the data directory.
    var trailName: String { isExplicit ? "trails/" + id : "audit" }

    /// 1 to 64 of `A-Za-z0-9._-`, not starting with a dot: safe as a file name and in a header.
    static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.count) && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    private static func sanitized(_ host: String) -> String {
        let kept = String(host.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }.prefix(40))
        return kept.isEmpty ? "gateway" : kept
    }

    /// FNV-1a, 32 bits, in hex: a short stable name for a path, not a secret.
    private static func fnv1a(_ text: String) -> String {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
