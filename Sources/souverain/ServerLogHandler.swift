import Logging

/// swift-log's `StreamLogHandler` (standard error), except that the metadata set on a logger is
/// kept as it is and rendered only when a line is printed.
///
/// `StreamLogHandler` renders all of its metadata again each time one key is set. Hummingbird
/// sets one on every request (its request id): 2% of a small GET's CPU (docs/benchmarks.md, issue
/// 18's ninth round), for lines that the default level never prints. The lines are the same: the
/// metadata goes to `StreamLogHandler` with each line, which sorts it by key as it did.
struct ServerLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = level
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        stream.log(event: event)
    }
}
