import Foundation
import NIOCore
import Testing
@testable import SouverainPortability

@Suite struct ObjectPathAllocatorTests {
    @Test func aKeyThatIsAlsoADirectoryYields() throws {
        let allocator = ObjectPathAllocator(keys: ["a", "a/b", "dir/", "dir"])
        #expect(allocator.path(for: "a/b") == "a/b")
        #expect(allocator.path(for: "dir/") == "dir/%")
        let a = try #require(allocator.path(for: "a"))
        let dir = try #require(allocator.path(for: "dir"))
        #expect(a.hasPrefix("a~") && a.utf8.count == 2 + 16)
        #expect(dir.hasPrefix("dir~"))
    }

    @Test func namesDifferingOnlyByCaseOrNormalisationGetDistinctFiles() throws {
        let composed = "caf\u{E9}.txt"
        let decomposed = "cafe\u{301}.txt"
        let allocator = ObjectPathAllocator(keys: ["report.pdf", "Report.pdf", composed, decomposed, "X/y", "x/y", "x"])
        // The byte-smallest key keeps the plain name: "R" (0x52) sorts before "r".
        #expect(allocator.path(for: "Report.pdf") == "Report.pdf")
        #expect(try #require(allocator.path(for: "report.pdf")).hasPrefix("report.pdf~"))
        // The decomposed form sorts first by bytes ("e" before 0xC3) and keeps the plain name.
        let plain = try #require(allocator.path(for: decomposed))
        let suffixed = try #require(allocator.path(for: composed))
        #expect(plain.utf8.elementsEqual(decomposed.utf8))
        #expect(suffixed.utf8.starts(with: (composed + "~").utf8))
        #expect(allocator.path(for: "X/y") == "X/y")
        #expect(try #require(allocator.path(for: "x/y")).hasPrefix("x/y~"))
        // "x" is a file where "X/" (folded "x/") is a directory.
        #expect(try #require(allocator.path(for: "x")).hasPrefix("x~"))
    }

    @Test func theOrderOfTheKeysDoesNotMatter() {
        var generator = SeededGenerator(seed: 7)
        var keys: [String] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<2000 {
            let key = ObjectPathTests.randomKey(&generator)
            if seen.insert(Array(key.utf8)).inserted { keys.append(key) }
        }
        let one = ObjectPathAllocator(keys: keys)
        let other = ObjectPathAllocator(keys: keys.shuffled(using: &generator))
        for key in keys { #expect(one.path(for: key) == other.path(for: key)) }
    }

    /// Every key gets a file no other key's file or directory can be confused with, even by a
    /// case-insensitive, normalisation-insensitive file system.
    @Test func randomKeysNeverShareAFileOrClashWithADirectory() throws {
        var generator = SeededGenerator(seed: 42)
        var keys: [String] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<20_000 {
            let key = ObjectPathTests.randomKey(&generator)
            if seen.insert(Array(key.utf8)).inserted { keys.append(key) }
        }
        let allocator = ObjectPathAllocator(keys: keys)
        var files = Set<String>()
        var directories = Set<String>()
        for key in keys {
            let path = try #require(allocator.path(for: key))
            #expect(ObjectPath.isSafe(path), "\(key.debugDescription) -> \(path.debugDescription)")
            #expect(files.insert(path.lowercased()).inserted, "\(key.debugDescription) -> \(path.debugDescription) is taken")
            var prefix = path.utf8[...]
            while let slash = prefix.lastIndex(of: UInt8(ascii: "/")) {
                prefix = prefix[..<slash]
                directories.insert(String(decoding: prefix, as: UTF8.self).lowercased())
            }
        }
        #expect(files.isDisjoint(with: directories))
    }

    /// The paths really can all be created, side by side, under one directory.
    @Test func theTreeCanBeWrittenOnDisk() throws {
        var generator = SeededGenerator(seed: 3)
        var keys: [String] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<1500 {
            let key = ObjectPathTests.randomKey(&generator)
            if seen.insert(Array(key.utf8)).inserted { keys.append(key) }
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("souverain-paths-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let allocator = ObjectPathAllocator(keys: keys)
        for key in keys {
            let path = root + "/" + allocator.path(for: key)!
            let parent = String(decoding: path.utf8[..<path.utf8.lastIndex(of: UInt8(ascii: "/"))!], as: UTF8.self)
            try POSIX.makeDirectories(parent)
            var sink = try FileSink(creating: path)
            try sink.write(.init(string: key))
            _ = try sink.finish(sync: false)
        }
        let written = try FileTree.entries(under: root)
        #expect(written.count == keys.count)
        #expect(written.allSatisfy { $0.isRegularFile })
    }
}
