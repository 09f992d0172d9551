import Crypto
import Foundation
import SouverainKeys
import Testing

@Suite struct WrappedKeyTests {
    let sample = WrappedKey(
        master: MasterKeyReference(storeKind: "keyring", keyID: "kr-0011223344556677", version: 3),
        algorithm: .aesKeyWrap,
        bytes: Array(0..<40))

    @Test func binaryEncodingIsFrozen() throws {
        let encoded = try sample.encoded()
        var expected: [UInt8] = Array("SVWK".utf8) + [1, 1, 7] + Array("keyring".utf8) + [19] + Array("kr-0011223344556677".utf8)
        expected += [0, 0, 0, 3, 0, 40] + Array(0..<40)
        #expect(encoded == expected)
        #expect(try WrappedKey(encoded: encoded) == sample)
    }

    @Test func stringEncodingRoundTrips() throws {
        let string = try sample.encodedString()
        #expect(string.hasPrefix("swk1."))
        #expect(!string.contains("=") && !string.contains("+") && !string.contains("/"))
        #expect(try WrappedKey(encodedString: string) == sample)
    }

    @Test func descriptionHidesTheBytes() {
        let marked = WrappedKey(master: sample.master, algorithm: .aesKeyWrap, bytes: Array(repeating: 0xAB, count: 40))
        #expect(!marked.description.lowercased().contains("ab, ") && !marked.description.contains("171"))
        #expect(marked.description.contains("keyring:kr-0011223344556677#v3"))
    }

    /// (what, byte offset, replacement): magic, format byte, algorithm byte.
    @Test(arguments: [("bad magic", 0, UInt8(ascii: "X")), ("format 2", 4, 2), ("algorithm 9", 5, 9)])
    func unknownFormatsAreUnsupported(_ change: (String, Int, UInt8)) throws {
        var bytes = try sample.encoded()
        bytes[change.1] = change.2
        let error = try #require(throws: KeysError.self) { try WrappedKey(encoded: bytes) }
        #expect(error.code == .unsupportedFormat, "\(change.0)")
    }

    @Test func garbageIsInvalid() throws {
        let encoded = try sample.encoded()
        let cases: [[UInt8]] = [
            [],
            Array(encoded.prefix(10)),
            Array(encoded.dropLast()),
            encoded + [0],
            { var b = encoded; b[6] = 0; return b }(),  // empty store kind, shifts everything
            { var b = encoded; b[7] = UInt8(ascii: "K"); return b }(),  // upper case store kind
            { var b = encoded; b[37] = 0; return b }(),  // version 0 (bytes 34...37 are the version)
        ]
        for bytes in cases {
            let error = try #require(throws: KeysError.self) { try WrappedKey(encoded: bytes) }
            #expect(error.code == .invalidArgument, "\(bytes.count) bytes")
        }
        let short = WrappedKey(master: sample.master, algorithm: .aesKeyWrap, bytes: Array(repeating: 1, count: 39))
        #expect(throws: KeysError.self) { try short.encoded() }
    }

    @Test func garbageStringsAreRefused() throws {
        let inputs: [(String, KeysError.Code)] = [
            ("hello", .invalidArgument),
            ("swk1.", .invalidArgument),
            ("swk1.!!!!", .invalidArgument),
            ("swk1.AAAA=", .invalidArgument),
            ("swk2.AAAA", .unsupportedFormat),
        ]
        for (input, code) in inputs {
            let error = try #require(throws: KeysError.self) { try WrappedKey(encodedString: input) }
            #expect(error.code == code, "\(input)")
        }
    }
}
