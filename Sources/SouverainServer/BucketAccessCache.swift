import Foundation
import NIOConcurrencyHelpers
import SouverainCatalogue
import SouverainEngine
import SouverainPolicy
import SouverainS3

/// What a bucket's access documents say, parsed: read on every request to the bucket.
struct BucketAccess: Sendable {
    var policy: BucketPolicy?
    /// A stored policy that no longer parses (written by another version): nothing but the
    /// owner and admins gets through until it is replaced; it is never ignored.
    var policyUnreadable = false
    var publicAccessBlock: PublicAccessBlockConfiguration?
    var ownership = ObjectOwnership.bucketOwnerEnforced
    /// The bucket ACL's group grants (AllUsers, AuthenticatedUsers), when ACLs are enabled.
    var groupGrants = GroupGrants()
    var cors: CORSConfiguration?

    init() {}

    init(bucket: String, documents: [BucketAccessDocument: String]) {
        if let text = documents[.policy] {
            do {
                policy = try BucketPolicy.parse(text, bucket: bucket)
            } catch {
                policyUnreadable = true
            }
        }
        if let text = documents[.publicAccessBlock] {
            // Unreadable: block everything, the safe reading of a block that cannot be read.
            publicAccessBlock = (try? JSONDecoder().decode(PublicAccessBlockConfiguration.self, from: Data(text.utf8)))
                ?? PublicAccessBlockConfiguration(blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true)
        }
        if let text = documents[.ownershipControls] {
            ownership = ObjectOwnership(rawValue: text) ?? .bucketOwnerEnforced
        }
        if let text = documents[.acl] {
            groupGrants = GroupGrants(text: text)
        }
        if let text = documents[.cors] {
            cors = try? JSONDecoder().decode(CORSConfiguration.self, from: Data(text.utf8))
        }
    }
}

/// The grants of a bucket ACL to AWS's two groups.
struct GroupGrants: Sendable, Equatable {
    /// `http://acs.amazonaws.com/groups/global/AllUsers`: anyone, anonymous included.
    static let allUsersURI = "http://acs.amazonaws.com/groups/global/AllUsers"
    /// `http://acs.amazonaws.com/groups/global/AuthenticatedUsers`: any signed request.
    static let authenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"

    var allUsersRead = false
    var allUsersWrite = false
    var authenticatedRead = false
    var authenticatedWrite = false

    init() {}

    /// From the stored form: the granted words, comma-separated (`all-read,auth-read`).
    init(text: String) {
        let words = Set(text.split(separator: ",").map(String.init))
        allUsersRead = words.contains("all-read")
        allUsersWrite = words.contains("all-write")
        authenticatedRead = words.contains("auth-read")
        authenticatedWrite = words.contains("auth-write")
    }

    var text: String {
        [(allUsersRead, "all-read"), (allUsersWrite, "all-write"), (authenticatedRead, "auth-read"), (authenticatedWrite, "auth-write")]
            .filter(\.0).map(\.1).joined(separator: ",")
    }

    var isEmpty: Bool { self == GroupGrants() }
    /// Public as AWS means it: a grant to AllUsers or AuthenticatedUsers.
    var isPublic: Bool { !isEmpty }
}

/// Parsed access documents per bucket, kept a few seconds and dropped at once when this gateway
/// changes them. Alone, the expiry bounds how long another gateway sharing the catalogue serves an
/// old policy; when the cache follows the catalogue's change feed (`follow`), a change made on
/// another gateway drops the entry within the feed's bound, and nothing is used or kept while the
/// feed cannot be read (CacheValidity.swift).
final class BucketAccessCache: Sendable {
    static let lifetime: Duration = .seconds(5)
    static let followedLifetime: Duration = .seconds(60)
    private struct State {
        var entries: [String: (loaded: ContinuousClock.Instant, access: BucketAccess)] = [:]
        /// Counts invalidations: a load overtaken by one stores nothing.
        var forgotten = 0
        var validity: CacheValidity?
    }
    private let state = NIOLockedValueBox(State())

    func access(bucket: String, catalogue: any Catalogue) async throws -> BucketAccess {
        let now = ContinuousClock.now
        let (entry, before, validity) = state.withLockedValue { ($0.entries[bucket], $0.forgotten, $0.validity) }
        let holding = validity?.isValid ?? true
        // Following the feed, an entry is dropped when it changes: the expiry is only a backstop.
        let lifetime = validity == nil ? Self.lifetime : Self.followedLifetime
        if holding, let entry, now - entry.loaded < lifetime { return entry.access }
        let access = BucketAccess(bucket: bucket, documents: try await catalogue.bucketAccessDocuments(bucket: bucket))
        state.withLockedValue { state in
            guard state.forgotten == before, state.validity?.isValid ?? true else { return }
            if state.entries.count > 10_000 { state.entries.removeAll(keepingCapacity: true) }
            state.entries[bucket] = (now, access)
        }
        return access
    }

    func invalidate(_ bucket: String) {
        state.withLockedValue {
            $0.entries[bucket] = nil
            $0.forgotten += 1
        }
    }

    func invalidateEverything() {
        state.withLockedValue {
            $0.entries = [:]
            $0.forgotten += 1
        }
    }

    /// Keeps the cache in step with the catalogue's change feed.
    func follow(_ follower: CatalogueFollower) {
        state.withLockedValue { $0.validity = follower.validity }
        follower.observe { [weak self] change in
            guard let self else { return }
            switch change?.kind {
            case .bucketAccess?, .bucketDeleted?: invalidate(change?.name ?? "")
            case .bucketKeys?, .namedKey?: break
            case .unknown?, nil: invalidateEverything()
            }
        }
    }
}
