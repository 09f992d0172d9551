import Foundation
import Synchronization
import Testing
@testable import SouverainAudit

/// A wall clock the test moves by hand.
final class ManualNow: Sendable {
    private let milliseconds: Mutex<Int64>

    init(_ start: Int64 = 1_767_225_600_000) {  // 2026-01-01T00:00:00Z
        milliseconds = Mutex(start)
    }

    func advance(_ duration: Duration) {
        milliseconds.withLock { $0 += duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000 }
    }

    var closure: @Sendable () -> AuditTime {
        { AuditTime(millisecondsSince1970: self.milliseconds.withLock { $0 }) }
    }
}

/// A fresh directory under the system's temporary directory.
func temporaryDirectory(_ label: String = "trail") -> String {
    NSTemporaryDirectory() + "souverain-audit-\(label)-" + UUID().uuidString
}

func sampleEvent(_ index: Int, bucket: String = "archives", user: String = "AKIAEXAMPLE", country: String = "FR") -> AuditEvent {
    AuditEvent(
        requestID: "req-\(index)",
        user: user,
        sourceAddress: "192.0.2.\(index % 250 + 1):443",
        operation: index % 3 == 0 ? "GetObject" : "PutObject",
        bucket: bucket,
        key: "dossiers/\(index).pdf",
        version: index % 5 == 0 ? nil : "v\(index)",
        bytesIn: index % 3 == 0 ? 0 : UInt64(1000 + index),
        bytesOut: index % 3 == 0 ? UInt64(1000 + index) : 0,
        locations: [
            AuditLocationAccess(locationID: "local", providerID: "self", country: country, direction: index % 3 == 0 ? .read : .write)
        ],
        status: 200
    )
}

/// Writes a trail: `count` events, a checkpoint every `checkpointEvery` records, closed (final
/// checkpoint) unless `close` is false.
func makeTrail(
    count: Int, checkpointEvery: Int = 10, maximumSegmentBytes: Int64 = 64 << 20, close: Bool = true,
    key: AuditKey = .generate(), directory: String = temporaryDirectory(), now: ManualNow = ManualNow()
) async throws -> (directory: String, key: AuditKey) {
    let writer = try await AuditWriter.open(
        directory: directory, key: key,
        configuration: .init(checkpointEveryRecords: checkpointEvery, maximumSegmentBytes: maximumSegmentBytes),
        now: now.closure
    )
    for index in 0..<count {
        _ = try await writer.append(sampleEvent(index))
        now.advance(.milliseconds(1500))
    }
    if close { try await writer.close() }
    return (directory, key)
}

/// A frame as it lies in a segment file.
struct FrameLocation {
    var segment: String
    var path: String
    var offset: Int64
    var size: Int64
    var record: AuditRecord
    var hash: AuditHash
    var range: Range<Int> { Int(offset)..<Int(offset + size) }
}

/// Every intact frame of the trail, in order.
func frames(in directory: String) throws -> [FrameLocation] {
    var out: [FrameLocation] = []
    for file in try AuditSegment.list(directory: directory) {
        var scanner = try SegmentScanner(file: file)
        while case .frame(let frame) = try scanner.next() {
            out.append(FrameLocation(segment: file.name, path: file.path, offset: frame.offset, size: frame.size, record: frame.record, hash: frame.hash))
        }
    }
    return out
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Copies a trail directory so each case can damage its own copy.
func copyTrail(_ directory: String) throws -> String {
    let copy = temporaryDirectory("copy")
    try FileManager.default.copyItem(atPath: directory, toPath: copy)
    return copy
}

func removeTrail(_ directory: String) {
    try? FileManager.default.removeItem(atPath: directory)
}

/// A frame's bytes for a record, as the writer makes them.
func frameBytes(_ record: AuditRecord) -> [UInt8] {
    AuditFrame.encode(canonical: record.canonicalBytes, hash: record.hash)
}
