import Foundation
import Testing
@testable import SouverainPortability

@Suite struct ObjectPathTests {
    @Test(arguments: [
        ("docs/report.pdf", "docs/report.pdf"),
        ("dir one/fichier é.txt", "dir one/fichier é.txt"),
        ("日本語/ファイル 1.dat", "日本語/ファイル 1.dat"),
        ("a//b", "a/%/b"),
        ("/leading", "%/leading"),
        ("dir/", "dir/%"),
        ("/", "%/%"),
        (".", "%2E"),
        ("..", ".%2E"),
        ("../../etc/passwd", ".%2E/.%2E/etc/passwd"),
        ("a/./b/../c", "a/%2E/b/.%2E/c"),
        ("...", "..%2E"),
        (".hidden", ".hidden"),
        ("name.", "name%2E"),
        ("name ", "name%20"),
        ("100%", "100%25"),
        ("x~y", "x%7Ey"),
        ("a:b*c?d\"e<f>g|h\\i", "a%3Ab%2Ac%3Fd%22e%3Cf%3Eg%7Ch%5Ci"),
        ("tab\there", "tab%09here"),
        ("new\nline", "new%0Aline"),
        ("del\u{7F}", "del%7F"),
        ("c1\u{85}", "c1%C2%85"),
        ("rtl\u{202E}txt.exe", "rtl%E2%80%AEtxt.exe"),
        ("CON", "%43ON"),
        ("con.txt", "%63on.txt"),
        ("dir/Lpt1.log", "dir/%4Cpt1.log"),
        ("COM10", "COM10"),
        ("console", "console"),
    ])
    func encodings(key: String, path: String) {
        #expect(ObjectPath.encode(key) == path)
        #expect(ObjectPath.decode(path) == key)
        #expect(ObjectPath.isSafe(path))
    }

    @Test func aSlashFollowedByACombiningMarkStillSeparates() {
        // "/\u{301}" is a single Character: splitting by Character would keep the slash in a name.
        let key = "a/\u{301}b"
        #expect(ObjectPath.encode(key).utf8.elementsEqual("a/\u{301}b".utf8))
        #expect(ObjectPath.decode(ObjectPath.encode(key))?.utf8.elementsEqual(key.utf8) == true)
        #expect(ObjectPath.segments(of: key).count == 2)
    }

    @Test func composedAndDecomposedKeysGetDifferentBytes() {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // Swift says equal (canonical equivalence)...
        #expect(!ObjectPath.encode(composed).utf8.elementsEqual(ObjectPath.encode(decomposed).utf8))  // ...the bytes differ
    }

    @Test func longSegmentsAreCutWithAHash() throws {
        let long = String(repeating: "x", count: 300)
        let path = ObjectPath.encode("dir/" + long)
        let name = try #require(path.split(separator: "/").last)
        #expect(name.utf8.count == ObjectPath.truncatedPrefixBytes + 1 + 32)
        #expect(name.hasPrefix(String(repeating: "x", count: ObjectPath.truncatedPrefixBytes) + "~"))
        #expect(ObjectPath.decode(path) == nil)  // only the manifest knows the key
        #expect(ObjectPath.encode("dir/" + long + "y") != path)

        // Multi-byte scalars and escapes are never split.
        for unit in ["é", "日", "🎉", "%", "\u{1}"] {
            let encoded = ObjectPath.encode(String(repeating: unit, count: 250))
            let piece = ObjectPath.encode(unit)
            let prefix = try #require(encoded.split(separator: "~").first)
            #expect(prefix.utf8.count <= ObjectPath.truncatedPrefixBytes)
            #expect(prefix.utf8.count % piece.utf8.count == 0)
            #expect(String(prefix) == String(repeating: piece, count: prefix.utf8.count / piece.utf8.count))
        }
    }

    @Test(arguments: ["a%2e", "a%zz", "a%2", "%41BC", "a~0123", "x%2Fy"])
    func nonCanonicalPathsDoNotDecode(path: String) {
        #expect(ObjectPath.decode(path) == nil)
    }

    @Test(arguments: [
        ("a/b", true), ("a", true), ("%", true), ("..a", true),
        ("", false), ("/a", false), ("a/", false), ("a//b", false), (".", false), ("..", false), ("a/../b", false),
        ("a/./b", false), ("a\\b", false), ("a\u{0}b", false), (String(repeating: "x", count: 256), false),
    ])
    func safePaths(path: String, safe: Bool) {
        #expect(ObjectPath.isSafe(path) == safe)
    }

    /// Keys built from the pieces that break naive mappings.
    static func randomKey(_ generator: inout SeededGenerator) -> String {
        let pieces = [
            "", ".", "..", "/", "//", "%", "%25", "~", "a", "A", "b", "B", "é", "e\u{301}", "É", "CON", "con", "nul.txt",
            "\u{1}", "\u{7F}", "\u{85}", "\u{202E}", " ", "日本", "🎉", ":", "\\", "*", "?", "-", ".txt", "x.",
            String(repeating: "z", count: 90), String(repeating: "é", count: 70), "/\u{301}", "\u{FEFF}",
        ]
        var key = ""
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
            key += pieces[Int.random(in: 0..<pieces.count, using: &generator)]
        }
        return key
    }

    @Test func manyRandomKeysMapToDistinctSafePathsThatDecodeBack() {
        var generator = SeededGenerator(seed: 1)
        var seen: [[UInt8]: String] = [:]
        var keys = Set<[UInt8]>()
        for _ in 0..<20_000 {
            let key = Self.randomKey(&generator)
            guard keys.insert(Array(key.utf8)).inserted else { continue }
            let path = ObjectPath.encode(key)
            #expect(ObjectPath.isSafe(path), "\(key.debugDescription) -> \(path.debugDescription)")
            #expect(!path.utf8.contains(0))
            for segment in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
                #expect(segment.count <= ObjectPath.maximumSegmentBytes)
                #expect(segment.last != UInt8(ascii: ".") && segment.last != UInt8(ascii: " "))
            }
            if let other = seen.updateValue(key, forKey: Array(path.utf8)) {
                Issue.record("\(key.debugDescription) and \(other.debugDescription) both map to \(path.debugDescription)")
            }
            if !path.contains("~") {
                #expect(ObjectPath.decode(path)?.utf8.elementsEqual(key.utf8) == true, "\(key.debugDescription)")
            }
            // Resolved under a base directory, the path stays inside it.
            let base = URL(fileURLWithPath: "/export/objects")
            let resolved = base.appendingPathComponent(path).standardizedFileURL.path
            #expect(resolved.hasPrefix("/export/objects/"))
        }
        #expect(keys.count > 15_000)
    }
}

/// SplitMix64: a seeded generator, so that a failing random case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
