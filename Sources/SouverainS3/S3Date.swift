public import Foundation

/// Date formats of the S3 protocol, written by hand (proleptic Gregorian calendar, UTC) so that
/// no `DateFormatter` is created or shared.
public enum S3Date {
    /// ISO 8601 in UTC with milliseconds, as in S3 XML: "2009-10-12T17:50:30.000Z".
    /// Sub-millisecond time is truncated.
    public static func iso8601(_ date: Date) -> String {
        let (days, milliseconds) = daysAndMilliseconds(date)
        let (year, month, day) = civil(fromDays: days)
        let seconds = milliseconds / 1000
        return format(length: 24, year: year) { buffer in
            write4(year, &buffer, 0)
            buffer[4] = UInt8(ascii: "-")
            write2(month, &buffer, 5)
            buffer[7] = UInt8(ascii: "-")
            write2(day, &buffer, 8)
            buffer[10] = UInt8(ascii: "T")
            write2(seconds / 3600, &buffer, 11)
            buffer[13] = UInt8(ascii: ":")
            write2(seconds / 60 % 60, &buffer, 14)
            buffer[16] = UInt8(ascii: ":")
            write2(seconds % 60, &buffer, 17)
            buffer[19] = UInt8(ascii: ".")
            let millis = milliseconds % 1000
            buffer[20] = UInt8(ascii: "0") + UInt8(millis / 100)
            write2(millis % 100, &buffer, 21)
            buffer[23] = UInt8(ascii: "Z")
        } fallback: {
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
                + "\(pad(seconds % 60, 2)).\(pad(milliseconds % 1000, 3))Z"
        }
    }

    /// RFC 1123 (IMF-fixdate), as in HTTP headers: "Wed, 12 Oct 2009 17:50:00 GMT".
    public static func httpDate(_ date: Date) -> String {
        let (days, milliseconds) = daysAndMilliseconds(date)
        let (year, month, day) = civil(fromDays: days)
        let seconds = milliseconds / 1000
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        return format(length: 29, year: year) { buffer in
            let name = weekdayNames[weekday]
            buffer[0] = name[0]; buffer[1] = name[1]; buffer[2] = name[2]
            buffer[3] = UInt8(ascii: ","); buffer[4] = UInt8(ascii: " ")
            write2(day, &buffer, 5)
            buffer[7] = UInt8(ascii: " ")
            let monthName = monthNames[month - 1]
            buffer[8] = monthName[0]; buffer[9] = monthName[1]; buffer[10] = monthName[2]
            buffer[11] = UInt8(ascii: " ")
            write4(year, &buffer, 12)
            buffer[16] = UInt8(ascii: " ")
            write2(seconds / 3600, &buffer, 17)
            buffer[19] = UInt8(ascii: ":")
            write2(seconds / 60 % 60, &buffer, 20)
            buffer[22] = UInt8(ascii: ":")
            write2(seconds % 60, &buffer, 23)
            buffer[25] = UInt8(ascii: " ")
            buffer[26] = UInt8(ascii: "G"); buffer[27] = UInt8(ascii: "M"); buffer[28] = UInt8(ascii: "T")
        } fallback: {
            let weekdayName = String(decoding: weekdayNames[weekday], as: UTF8.self)
            let monthName = String(decoding: monthNames[month - 1], as: UTF8.self)
            return "\(weekdayName), \(pad(day, 2)) \(monthName) \(pad(year, 4)) "
                + "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)) GMT"
        }
    }

    /// Parses an HTTP date: RFC 1123 ("Wed, 12 Oct 2009 17:50:00 GMT"), RFC 850
    /// ("Wednesday, 12-Oct-09 17:50:00 GMT", two-digit years below 70 are 20xx) or asctime
    /// ("Wed Oct 12 17:50:00 2009"). The weekday name must be valid but is not checked
    /// against the date. Nil on anything else.
    public static func parseHTTPDate(_ string: String) -> Date? {
        var scanner = Scanner(string)
        scanner.skipSpaces()
        guard let weekday = scanner.letters(), isWeekday(weekday) else { return nil }
        let year: Int, month: Int, day: Int, seconds: Int
        if scanner.consume(UInt8(ascii: ",")) {
            scanner.skipSpaces()
            guard let parsedDay = scanner.number(minDigits: 1, maxDigits: 2) else { return nil }
            day = parsedDay
            if scanner.consume(UInt8(ascii: "-")) {  // RFC 850
                guard let monthName = scanner.letters(), let parsedMonth = monthNumber(monthName),
                      scanner.consume(UInt8(ascii: "-")),
                      let yy = scanner.number(minDigits: 2, maxDigits: 4)
                else { return nil }
                month = parsedMonth
                year = yy >= 100 ? yy : (yy < 70 ? 2000 + yy : 1900 + yy)
            } else {  // RFC 1123
                guard scanner.skipSpaces(), let monthName = scanner.letters(),
                      let parsedMonth = monthNumber(monthName), scanner.skipSpaces(),
                      let parsedYear = scanner.number(minDigits: 4, maxDigits: 4)
                else { return nil }
                month = parsedMonth
                year = parsedYear
            }
            guard scanner.skipSpaces(), let time = scanner.time(), scanner.skipSpaces(),
                  let zone = scanner.letters(), zone == "GMT" || zone == "UTC"
            else { return nil }
            seconds = time
        } else {  // asctime
            guard scanner.skipSpaces(), let monthName = scanner.letters(),
                  let parsedMonth = monthNumber(monthName), scanner.skipSpaces(),
                  let parsedDay = scanner.number(minDigits: 1, maxDigits: 2), scanner.skipSpaces(),
                  let time = scanner.time(), scanner.skipSpaces(),
                  let parsedYear = scanner.number(minDigits: 4, maxDigits: 4)
            else { return nil }
            (year, month, day, seconds) = (parsedYear, parsedMonth, parsedDay, time)
        }
        scanner.skipSpaces()
        guard scanner.isAtEnd, let days = days(year: year, month: month, day: day) else { return nil }
        return Date(timeIntervalSince1970: Double(days * 86_400 + Int64(seconds)))
    }

    /// Parses ISO 8601 date-times: "2009-10-12T17:50:30.000Z", any number of fraction digits,
    /// "Z" or an offset ("+02:00", "+0200"), and the basic form "20091012T175030Z". Nil otherwise.
    public static func parseISO8601(_ string: String) -> Date? {
        var scanner = Scanner(string)
        guard let year = scanner.number(minDigits: 4, maxDigits: 4) else { return nil }
        let extended = scanner.consume(UInt8(ascii: "-"))
        guard let month = scanner.number(minDigits: 2, maxDigits: 2),
              !extended || scanner.consume(UInt8(ascii: "-")),
              let day = scanner.number(minDigits: 2, maxDigits: 2),
              scanner.consume(UInt8(ascii: "T")) || scanner.consume(UInt8(ascii: "t")),
              let hour = scanner.number(minDigits: 2, maxDigits: 2),
              !extended || scanner.consume(UInt8(ascii: ":")),
              let minute = scanner.number(minDigits: 2, maxDigits: 2),
              !extended || scanner.consume(UInt8(ascii: ":")),
              let second = scanner.number(minDigits: 2, maxDigits: 2),
              hour < 24, minute < 60, second < 60,
              let days = days(year: year, month: month, day: day)
        else { return nil }
        var fraction = 0.0
        if scanner.consume(UInt8(ascii: ".")) || scanner.consume(UInt8(ascii: ",")) {
            var scale = 0.1
            var digits = 0
            while let digit = scanner.digit() {
                fraction += Double(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0 else { return nil }
        }
        var offset = 0
        if scanner.consume(UInt8(ascii: "Z")) || scanner.consume(UInt8(ascii: "z")) {
            offset = 0
        } else if let sign = scanner.sign() {
            guard let offsetHours = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
            _ = scanner.consume(UInt8(ascii: ":"))
            guard let offsetMinutes = scanner.number(minDigits: 2, maxDigits: 2),
                  offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard scanner.isAtEnd else { return nil }
        let whole = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return Date(timeIntervalSince1970: Double(whole) + fraction)
    }

    // MARK: - Calendar arithmetic (Howard Hinnant's algorithms)

    /// Days since 1970-01-01 and milliseconds into that day. The instant is first rounded to the
    /// microsecond, so a `Date` built from whole milliseconds never formats one millisecond early.
    static func daysAndMilliseconds(_ date: Date) -> (days: Int64, milliseconds: Int) {
        var seconds = date.timeIntervalSince1970
        if !seconds.isFinite { seconds = 0 }
        seconds = min(max(seconds, -1e13), 1e13)
        let microseconds = Int64((seconds * 1_000_000).rounded())
        let milliseconds = floorDivide(microseconds, 1000)
        let days = floorDivide(milliseconds, 86_400_000)
        return (days, Int(milliseconds - days * 86_400_000))
    }

    static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Days since 1970-01-01, or nil when the month or day is out of range.
    static func days(year: Int, month: Int, day: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let y = Int64(year) - (month <= 2 ? 1 : 0)
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    @inline(__always)
    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    // MARK: - Formatting helpers

    private static let weekdayNames: [[UInt8]] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].map { Array($0.utf8) }
    private static let monthNames: [[UInt8]] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ].map { Array($0.utf8) }
    private static let longWeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    private static func format(
        length: Int, year: Int,
        _ body: (inout UnsafeMutableBufferPointer<UInt8>) -> Void,
        fallback: () -> String
    ) -> String {
        guard (0...9999).contains(year) else { return fallback() }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var buffer = buffer
            body(&buffer)
            return length
        }
    }

    /// Zero-padded decimal, sign first: pad(-5, 4) is "-0005".
    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    @inline(__always)
    private static func write2(_ value: Int, _ buffer: inout UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        buffer[at] = UInt8(ascii: "0") + UInt8(value / 10)
        buffer[at + 1] = UInt8(ascii: "0") + UInt8(value % 10)
    }

    @inline(__always)
    private static func write4(_ value: Int, _ buffer: inout UnsafeMutableBufferPointer<UInt8>, _ at: Int) {
        write2(value / 100, &buffer, at)
        write2(value % 100, &buffer, at + 2)
    }

    // MARK: - Parsing helpers

    private static func isWeekday(_ name: String) -> Bool {
        let lower = name.lowercased()
        return longWeekdayNames.contains(lower) || longWeekdayNames.contains { $0.prefix(3) == lower }
    }

    private static func monthNumber(_ name: String) -> Int? {
        guard name.utf8.count == 3 else { return nil }
        let lower = Array(name.lowercased().utf8)
        return monthNames.firstIndex { zip($0, lower).allSatisfy { $0 | 0x20 == $1 } }.map { $0 + 1 }
    }

    /// A cursor over ASCII bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ string: String) { bytes = Array(string.utf8) }

        var isAtEnd: Bool { index == bytes.count }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Skips spaces; true when at least one was skipped.
        @discardableResult
        mutating func skipSpaces() -> Bool {
            let start = index
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            return index > start
        }

        mutating func letters() -> String? {
            let start = index
            while index < bytes.count, (bytes[index] | 0x20) >= UInt8(ascii: "a"), (bytes[index] | 0x20) <= UInt8(ascii: "z") {
                index += 1
            }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
            index += 1
            return Int(bytes[index - 1] - UInt8(ascii: "0"))
        }

        mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
            let start = index
            var value = 0
            while index - start < maxDigits, let digit = digit() { value = value * 10 + digit }
            if index - start < minDigits {
                index = start
                return nil
            }
            return value
        }

        mutating func sign() -> Int? {
            if consume(UInt8(ascii: "+")) { return 1 }
            if consume(UInt8(ascii: "-")) { return -1 }
            return nil
        }

        /// "HH:MM:SS" as seconds into the day.
        mutating func time() -> Int? {
            guard let hour = number(minDigits: 2, maxDigits: 2), consume(UInt8(ascii: ":")),
                  let minute = number(minDigits: 2, maxDigits: 2), consume(UInt8(ascii: ":")),
                  let second = number(minDigits: 2, maxDigits: 2),
                  hour < 24, minute < 60, second < 60
            else { return nil }
            return hour * 3600 + minute * 60 + second
        }
    }
}
