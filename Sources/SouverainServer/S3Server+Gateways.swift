import HTTPTypes
import Hummingbird
public import SouverainEngine

/// Several gateways on one catalogue (docs/scale-out.md): this one's id in its health answers, and
/// its caches of bucket access documents in step with the others' changes.
extension S3Server {
    /// The gateway's id travels in `x-souverain-gateway`, so that a load balancer's health checks
    /// (and a person with curl) see which gateway answered.
    static let gatewayHeader = HTTPField.Name("x-souverain-gateway")!

    var healthHeaders: HTTPFields {
        var fields: HTTPFields = [.contentType: "text/plain"]
        if let gatewayID { fields[Self.gatewayHeader] = gatewayID }
        return fields
    }

    /// Keeps the bucket access documents this server caches in step with the catalogue's change feed.
    public func follow(_ follower: CatalogueFollower) {
        accessCache.follow(follower)
    }
}
