import Foundation

/// Runs blocking work (a process to wait for, a tree to remove) on a thread of its own and
/// returns its result: waiting on one of the few threads that every test's tasks share stalled the
/// others, whose time limits then ran out (the engine's hung-location test failed that way in
/// full runs).
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// Removal of a test's directory. A local location's tree has 4,096 shard directories; removing
/// one takes a while on a loaded disk.
public enum TestDirectories {
    /// Removes `path` and everything under it, off the shared threads, and returns when it is done.
    public static func remove(_ path: String) async {
        try? await offThePool { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Removes `path` in the background: for a suite's `deinit`, which cannot wait.
    public static func removeLater(_ path: String) {
        Thread.detachNewThread { try? FileManager.default.removeItem(atPath: path) }
    }
}
