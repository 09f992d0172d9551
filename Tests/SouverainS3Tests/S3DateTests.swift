import Foundation
import Testing
import SouverainS3

/// A deterministic generator, so a failure can be replayed.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func formatter(_ format: String) -> DateFormatter {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(secondsFromGMT: 0)
    formatter.calendar = Calendar(identifier: .gregorian)
    formatter.dateFormat = format
    return formatter
}

/// Whole milliseconds from 1900 to 2200, plus 0.4 ms so that no formatter can round either way.
private func randomInstants(count: Int, seed: UInt64) -> [Date] {
    var generator = SplitMix64(state: seed)
    let low: Int64 = -2_208_988_800_000  // 1900-01-01
    let high: Int64 = 7_258_118_400_000  // 2200-01-01
    var dates = (0..<count).map { _ in
        Date(timeIntervalSince1970: Double(Int64.random(in: low..<high, using: &generator)) / 1000 + 0.0004)
    }
    // Edges: the epoch, leap days, ends of years and centuries.
    dates += [0, 951_782_400, 951_868_799.999, 4_107_542_399.9994, -1, -0.0006, 1_709_164_800]
        .map { Date(timeIntervalSince1970: $0) }
    return dates
}

@Suite("S3Date")
struct S3DateTests {
    @Test func iso8601MatchesDateFormatter() {
        let reference = formatter("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        for date in randomInstants(count: 5000, seed: 1) {
            #expect(S3Date.iso8601(date) == reference.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func httpDateMatchesDateFormatter() {
        let reference = formatter("EEE, dd MMM yyyy HH:mm:ss 'GMT'")
        for date in randomInstants(count: 5000, seed: 2) {
            #expect(S3Date.httpDate(date) == reference.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func roundTrips() throws {
        for date in randomInstants(count: 3000, seed: 3) {
            let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
            let iso = try #require(S3Date.parseISO8601(S3Date.iso8601(date)))
            #expect((iso.timeIntervalSince1970 * 1000).rounded() == milliseconds)
            let http = try #require(S3Date.parseHTTPDate(S3Date.httpDate(date)))
            #expect(http.timeIntervalSince1970 == (date.timeIntervalSince1970).rounded(.down))
        }
    }

    @Test func knownValues() {
        let date = Date(timeIntervalSince1970: 1_255_369_830)
        #expect(S3Date.iso8601(date) == "2009-10-12T17:50:30.000Z")
        #expect(S3Date.httpDate(date) == "Mon, 12 Oct 2009 17:50:30 GMT")
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: 1.234)) == "1970-01-01T00:00:01.234Z")
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: 1_700_000_000.001)) == "2023-11-14T22:13:20.001Z")
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        // Sub-millisecond time is truncated, never rounded into the next second (DateFormatter rounds).
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: 946_684_799.9999)) == "1999-12-31T23:59:59.999Z")
        #expect(S3Date.httpDate(Date(timeIntervalSince1970: 946_684_799.9999)) == "Fri, 31 Dec 1999 23:59:59 GMT")
        #expect(S3Date.httpDate(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
        #expect(S3Date.iso8601(Date(timeIntervalSince1970: -62_167_219_200 - 86_400)) == "-0001-12-31T00:00:00.000Z")
    }

    @Test(arguments: [
        ("Wed, 12 Oct 2009 17:50:00 GMT", 1_255_369_800.0 as Double?),
        ("Mon, 12 Oct 2009 17:50:00 GMT", 1_255_369_800),  // the weekday is not checked
        ("wed, 12 oct 2009 17:50:00 GMT", 1_255_369_800),
        ("Wed, 2 Oct 2009 17:50:00 GMT", 1_254_505_800),
        ("Wed, 12 Oct 2009 17:50:00 UTC", 1_255_369_800),
        ("  Wed, 12 Oct 2009 17:50:00 GMT  ", 1_255_369_800),
        ("Wednesday, 12-Oct-09 17:50:00 GMT", 1_255_369_800),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
        ("Thursday, 01-Jan-70 00:00:00 GMT", 0),
        ("Wed Oct 12 17:50:00 2009", 1_255_369_800),
        ("Sun Nov  6 08:49:37 1994", 784_111_777),
        ("Sun Nov 6 08:49:37 1994", 784_111_777),
        ("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400),
        // Refused.
        ("", nil),
        ("Wed, 12 Oct 2009 17:50:00", nil),
        ("Wed, 12 Oct 2009 17:50:00 CET", nil),
        ("Wed, 12 Oct 2009 17:50 GMT", nil),
        ("Wed, 12 Okt 2009 17:50:00 GMT", nil),
        ("Xyz, 12 Oct 2009 17:50:00 GMT", nil),
        ("Wed, 32 Oct 2009 17:50:00 GMT", nil),
        ("Tue, 29 Feb 2001 00:00:00 GMT", nil),
        ("Wed, 12 Oct 2009 24:00:00 GMT", nil),
        ("Wed, 12 Oct 2009 17:60:00 GMT", nil),
        ("Wed, 12 Oct 2009 17:50:00 GMT junk", nil),
        ("2009-10-12T17:50:00Z", nil),
    ])
    func parseHTTPDate(_ input: String, _ expected: Double?) {
        #expect(S3Date.parseHTTPDate(input)?.timeIntervalSince1970 == expected)
    }

    @Test(arguments: [
        ("2009-10-12T17:50:30.000Z", 1_255_369_830.0 as Double?),
        ("2009-10-12T17:50:30Z", 1_255_369_830),
        ("2009-10-12T17:50:30.5Z", 1_255_369_830.5),
        ("2009-10-12T17:50:30.250000Z", 1_255_369_830.25),
        ("2009-10-12t17:50:30z", 1_255_369_830),
        ("2009-10-12T19:50:30+02:00", 1_255_369_830),
        ("2009-10-12T19:50:30+0200", 1_255_369_830),
        ("2009-10-12T12:50:30-05:00", 1_255_369_830),
        ("20091012T175030Z", 1_255_369_830),
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T00:00:00Z", 951_782_400),
        // Refused.
        ("", nil),
        ("2009-10-12", nil),
        ("2009-10-12T17:50:30", nil),
        ("2009-10-12T17:50:30.Z", nil),
        ("2009-13-12T17:50:30Z", nil),
        ("2009-02-29T17:50:30Z", nil),
        ("2009-10-12T25:50:30Z", nil),
        ("2009-10-12 17:50:30Z", nil),
        ("2009-10-12T17:50:30Zjunk", nil),
        ("2009-10-12T17:50:30+2", nil),
        ("Wed, 12 Oct 2009 17:50:00 GMT", nil),
    ])
    func parseISO8601(_ input: String, _ expected: Double?) {
        #expect(S3Date.parseISO8601(input)?.timeIntervalSince1970 == expected)
    }
}
