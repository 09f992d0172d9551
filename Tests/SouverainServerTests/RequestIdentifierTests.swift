import Testing
@testable import SouverainServer

/// Request IDs look as S3's do (16 uppercase hex digits) and do not repeat.
@Suite struct RequestIdentifierTests {
    @Test func sixteenUppercaseHexDigitsNeverRepeated() {
        let ids = (0..<10_000).map { _ in RequestIdentifier.make() }
        let hex = Set("0123456789ABCDEF".utf8)
        #expect(ids.allSatisfy { $0.utf8.count == 16 && $0.utf8.allSatisfy(hex.contains) })
        #expect(Set(ids).count == ids.count)
    }
}
