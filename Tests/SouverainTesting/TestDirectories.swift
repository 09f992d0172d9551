import Foundation

/// Removal of a test's directory on a thread of its own. A local location's tree has 4,096 shard
/// directories; removing one takes a while on a loaded disk, and on one of the few threads that
/// every test's tasks share it stalled the others, whose time limits then ran out (the engine's
/// hung-location test failed that way in full runs).
public enum TestDirectories {
    /// Removes `path` and everything under it, and returns when it is done.
    public static func remove(_ path: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                try? FileManager.default.removeItem(atPath: path)
                continuation.resume()
            }
        }
    }

    /// Removes `path` in the background: for a suite's `deinit`, which cannot wait.
    public static func removeLater(_ path: String) {
        DispatchQueue.global().async { try? FileManager.default.removeItem(atPath: path) }
    }
}
