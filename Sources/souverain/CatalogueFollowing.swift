import Logging
import ServiceLifecycle
import SouverainEngine

/// Reads the shared catalogue's change feed every `catalogue-refresh-seconds` so that this
/// gateway's caches follow what the others change (CatalogueFollower.swift).
struct CatalogueFollowing: Service {
    let follower: CatalogueFollower
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await follower.run(logger: logger)
        }
    }
}
