/// One line of progress, as a pure function of the counts and the time elapsed: objects done of
/// the total, bytes, average throughput and the estimated time left.
///
///     export b: 1,204/2,500 objects · 310.2 MiB/1.2 GiB · 45.1 MiB/s · ETA 0:20
public struct ProgressLine: Sendable, Equatable {
    public var label: String
    public var objectsDone: Int
    public var objectsTotal: Int?
    public var bytesDone: Int64
    public var bytesTotal: Int64?
    /// Objects found unchanged and not transferred again (counted in `objectsDone` and `bytesDone`).
    public var objectsSkipped: Int
    public var failures: Int

    public init(
        label: String, objectsDone: Int, objectsTotal: Int?, bytesDone: Int64, bytesTotal: Int64?, objectsSkipped: Int = 0,
        failures: Int = 0
    ) {
        self.label = label
        self.objectsDone = objectsDone
        self.objectsTotal = objectsTotal
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.objectsSkipped = objectsSkipped
        self.failures = failures
    }

    /// The line after `elapsed`; `skippedBytes` (bytes of skipped objects) are left out of the rate.
    public func render(elapsed: Duration, skippedBytes: Int64 = 0) -> String {
        var parts: [String] = []
        parts.append(Self.count(objectsDone) + (objectsTotal.map { "/" + Self.count($0) } ?? "") + " objects")
        parts.append(Self.bytes(bytesDone) + (bytesTotal.map { "/" + Self.bytes($0) } ?? ""))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let moved = max(0, bytesDone - skippedBytes)
        if seconds > 0 { parts.append(Self.bytes(Int64(Double(moved) / seconds)) + "/s") }
        if let eta = eta(seconds: seconds, skippedBytes: skippedBytes) { parts.append("ETA " + Self.clock(eta)) }
        if objectsSkipped > 0 { parts.append(Self.count(objectsSkipped) + " unchanged") }
        if failures > 0 { parts.append(Self.count(failures) + (failures == 1 ? " failure" : " failures")) }
        return label + ": " + parts.joined(separator: " · ")
    }

    /// Seconds left at the rate so far: by bytes when the total is known and not zero, else by objects.
    func eta(seconds: Double, skippedBytes: Int64) -> Int? {
        guard seconds >= 1 else { return nil }
        if let bytesTotal, bytesTotal > 0 {
            let moved = Double(max(0, bytesDone - skippedBytes))
            guard moved > 0 else { return nil }
            let left = Double(max(0, bytesTotal - bytesDone))
            return Int((left / (moved / seconds)).rounded(.up))
        }
        guard let objectsTotal, objectsDone > 0 else { return nil }
        return Int((Double(max(0, objectsTotal - objectsDone)) / (Double(objectsDone) / seconds)).rounded(.up))
    }

    /// 1,234,567
    static func count(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    /// 512 B, 1.5 KiB, 310.2 MiB, 1.2 GiB
    static func bytes(_ value: Int64) -> String {
        guard value >= 1024 else { return "\(value) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var scaled = Double(value) / 1024
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        let tenths = Int((scaled * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// 0:42, 12:05, 3:04:05
    static func clock(_ seconds: Int) -> String {
        let hours = seconds / 3600
        let minutes = seconds / 60 % 60
        let rest = seconds % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
    }
}
