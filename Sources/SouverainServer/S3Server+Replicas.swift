import Foundation
import Hummingbird
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

extension S3Server {
    /// Sets the gauges of location health and the repair backlog, just before `/metrics` is read.
    func refreshReplicaMetrics() async {
        for status in store.health.statuses(of: store.locations.byID.keys.sorted()) {
            metrics.locationUp(status.location, status.state != .down)
        }
        if let backlog = try? await store.repairBacklog() { metrics.repairBacklog(backlog) }
    }
}
