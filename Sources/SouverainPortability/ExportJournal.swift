import Foundation
import Synchronization

/// `manifest.partial.jsonl`: while an export runs, each object's manifest entry is appended as
/// one JSON line once its file is in place, so that a run stopped at any moment resumes where it
/// was. A torn last line is ignored when read. The journal is removed once `manifest.json` is
/// written.
final class ExportJournal: Sendable {
    let path: String
    // The descriptor, written under the lock: entries come from concurrent downloads.
    private let fd: Mutex<Int32>

    /// Opens the journal at `path` for appending; a new one starts with a line naming the bucket.
    init(path: String, bucket: String) throws {
        self.path = path
        let isNew = POSIX.status(path) == nil
        let descriptor = try POSIX.openForAppending(path)
        fd = Mutex(descriptor)
        if isNew {
            var header = Data("{\"bucket\":".utf8)
            header += (try? JSONEncoder().encode(bucket)) ?? Data("\"\"".utf8)
            header += Data(",\"format\":\"\(Self.formatName)\"}\n".utf8)
            try header.withUnsafeBytes { try POSIX.writeAll(descriptor, $0, path: path) }
        }
    }

    /// The journal's first line says which bucket it belongs to.
    static let formatName = "souverain-export-journal"

    deinit { fd.withLock { POSIX.close($0) } }

    func append(_ entry: ExportManifest.Entry) throws {
        let data: Data
        do {
            data = try Self.encoder.encode(entry) + [UInt8(ascii: "\n")]
        } catch {
            throw PortabilityError(.io, "Cannot encode the journal entry of \(entry.key).", cause: error)
        }
        let path = path
        try fd.withLock { fd in try data.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: path) } }
    }

    /// Syncs what was appended.
    func sync() throws {
        let path = path
        try fd.withLock { fd in try POSIX.sync(fd, path: path) }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The bucket a journal's first line names; nil when there is no journal (or no such line).
    static func bucket(path: String) throws -> String? {
        guard let first = try lines(path: path).first,
              let header = try? JSONSerialization.jsonObject(with: Data(first)) as? [String: Any],
              header["format"] as? String == formatName
        else { return nil }
        return header["bucket"] as? String
    }

    private static func lines(path: String) throws -> [Data.SubSequence] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n"))
        } catch {
            throw PortabilityError(.io, "Cannot read \(path).", cause: error)
        }
    }

    /// Every entry of a journal, in the order written (a versioned export has several per key);
    /// none when there is no journal. Torn lines are skipped.
    static func entries(path: String) throws -> [ExportManifest.Entry] {
        let decoder = JSONDecoder()
        return try lines(path: path).compactMap { try? decoder.decode(ExportManifest.Entry.self, from: Data($0)) }
    }

    /// The entries of a journal, the last one of each key winning; none when there is no journal.
    static func read(path: String) throws -> [ExactKey: ExportManifest.Entry] {
        let decoder = JSONDecoder()
        var entries: [ExactKey: ExportManifest.Entry] = [:]
        for line in try lines(path: path) {
            // A line torn by a crash does not decode: that object is simply fetched again.
            guard let entry = try? decoder.decode(ExportManifest.Entry.self, from: Data(line)) else { continue }
            entries[ExactKey(entry.key)] = entry
        }
        return entries
    }
}
