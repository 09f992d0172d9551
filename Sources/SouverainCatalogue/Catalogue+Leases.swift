public import Foundation

/// Leases (docs/scale-out.md, "Leases"): periodic work that gateways sharing a catalogue must not
/// do twice at once (repair, scrub, lifecycle, garbage collection) is done by the holder of its
/// lease. A lease is held until its expiry; its holder renews it before then; a holder that dies
/// loses it at its expiry, and another gateway takes it.
public protocol LeaseCatalogue: Sendable {
    /// Takes lease `name` for `holder` until `expires`, or renews it, in one conditional write:
    /// true when it was free, expired at `now`, or held by `holder` already; false (nothing
    /// written) while another holder's lease runs.
    func takeLease(_ name: String, holder: String, now: Date, expires: Date) async throws -> Bool
    /// Gives the lease up if `holder` holds it (a graceful stop), so that another takes it at once.
    func releaseLease(_ name: String, holder: String) async throws
    /// Every lease recorded, by name: its holder and expiry (for /health and the tests).
    func leases() async throws -> [Lease]
}

/// One lease as the catalogue records it.
public struct Lease: Sendable, Equatable {
    public var name: String
    public var holder: String
    public var expires: Date

    public init(name: String, holder: String, expires: Date) {
        self.name = name
        self.holder = holder
        self.expires = expires
    }
}
