import Foundation

/// Dates as the registry and the explanations write them: `YYYY-MM-DD` (UTC midnight) and
/// `YYYY-MM-DDTHH:MM:SSZ`, without locales or formatters.
enum CalendarDay {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Parses a strict `YYYY-MM-DD`; nil for anything else, including 2026-02-30.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return date
    }

    static func format(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    static func timestamp(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
            c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0
        )
    }

    static func parseTimestamp(_ text: String) -> Date? {
        guard text.count == 20, text.hasSuffix("Z"), let day = parse(String(text.prefix(10))) else { return nil }
        let time = text.dropFirst(11).dropLast().split(separator: ":")
        guard text[text.index(text.startIndex, offsetBy: 10)] == "T", time.count == 3,
              let h = Int(time[0]), let m = Int(time[1]), let s = Int(time[2]),
              (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(s)
        else { return nil }
        return day.addingTimeInterval(TimeInterval(h * 3600 + m * 60 + s))
    }

    /// Whole days from `start` to `end` (negative if `end` is earlier).
    static func days(from start: Date, to end: Date) -> Int {
        Int((end.timeIntervalSince(start) / 86_400).rounded(.down))
    }
}
