#if canImport(Glibc)
import Glibc
#endif
import Foundation
public import SouverainAudit
public import SouverainEngine
import SouverainS3

/// The server's side of the audit trail: turns each request into an `AuditEvent`, appends it
/// durably before the response leaves, and forwards it to a syslog collector when configured.
public struct AuditTrail: Sendable {
    public let writer: AuditWriter
    /// Each storage location's provider and datacentre country, by location id, as the trail
    /// records them for every byte read, written or deleted there.
    public let locations: [String: LocationProfile]
    let syslog: SyslogForwarder?

    public struct LocationProfile: Sendable {
        public var providerID: String
        public var country: String

        public init(providerID: String, country: String) {
            self.providerID = providerID
            self.country = country
        }
    }

    public init(writer: AuditWriter, locations: [String: LocationProfile], syslog: SyslogForwarder?) {
        self.writer = writer
        self.locations = locations
        self.syslog = syslog
    }

    /// An access to a location as the trail records it, with the location's provider and country.
    func access(_ locationID: String, _ direction: AuditLocationAccess.Direction) -> AuditLocationAccess {
        let profile = locations[locationID]
        return AuditLocationAccess(
            locationID: locationID, providerID: profile?.providerID ?? "unknown", country: profile?.country ?? "",
            direction: direction)
    }

    /// Appends the record; returns once it is on disk (group-committed with concurrent ones).
    func record(_ event: AuditEvent) async throws {
        let sequence = try await writer.append(event)
        syslog?.send(event, sequence: sequence)
    }

}

extension AuditTrail: MovementSink {
    /// The record of an internal movement the engine made on its own (repair, scrub, garbage
    /// collection): no request, no user; the locations it read, wrote or deleted at.
    public func record(_ movement: Movement) async throws {
        let locations = movement.touched.map { touch in
            access(touch.location, touch.direction == .read ? .read : touch.direction == .write ? .write : .delete)
        }
        try await record(AuditEvent(
            operation: AuditOperation(movement.kind.name), bucket: movement.bucket, key: movement.key, version: movement.version,
            bytesIn: movement.touched.contains { $0.direction == .read } ? movement.bytes : 0,
            bytesOut: movement.touched.contains { $0.direction == .write } ? movement.bytes : 0,
            locations: locations, errorCode: movement.problem, detail: movement.detail))
    }
}

/// Sends audit records as RFC 5424 syslog messages over UDP to a collector (a SIEM), after they
/// are durable. Best effort by nature of UDP: the trail on disk is the record of truth.
public final class SyslogForwarder: Sendable {
    private let fd: Int32
    private let hostname: String

    /// `host:port` of the collector, an IPv4 or IPv6 literal or a resolvable name.
    public init(target: String) throws {
        guard let colon = target.lastIndex(of: ":"), let port = UInt16(target[target.index(after: colon)...]) else {
            throw SyslogError(message: "syslog target must be HOST:PORT, got \(target)")
        }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
            throw SyslogError(message: "cannot resolve the syslog collector \(host)")
        }
        defer { freeaddrinfo(result) }
        let socket = Glibc.socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0, connect(socket, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            throw SyslogError(message: "cannot open a UDP socket to \(target)")
        }
        fd = socket
        hostname = ProcessInfo.processInfo.hostName
    }

    deinit { close(fd) }

    /// `<110>1 TIMESTAMP HOST souverain - AUDIT [souverain@32473 seq=".." ...] MSG`: facility
    /// 13 (log audit), severity 6 (informational).
    func send(_ event: AuditEvent, sequence: UInt64) {
        let message = Self.format(event, sequence: sequence, time: Date(), hostname: hostname)
        _ = message.withCString { pointer in Glibc.send(fd, pointer, strlen(pointer), Int32(MSG_DONTWAIT)) }
    }

    static func format(_ event: AuditEvent, sequence: UInt64, time: Date, hostname: String) -> String {
        func param(_ name: String, _ value: String?) -> String {
            guard let value else { return "" }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "]", with: "\\]")
            return " \(name)=\"\(escaped)\""
        }
        let countries = event.locations.map(\.country).joined(separator: ",")
        let data = "[souverain@32473" + param("seq", String(sequence)) + param("request", event.requestID)
            + param("user", event.user) + param("source", event.sourceAddress) + param("op", event.operation.rawValue)
            + param("bucket", event.bucket) + param("key", event.key) + param("in", String(event.bytesIn))
            + param("out", String(event.bytesOut)) + param("status", event.status.map(String.init))
            + param("error", event.errorCode) + param("countries", countries.isEmpty ? nil : countries) + "]"
        let host = hostname.isEmpty ? "-" : String(hostname.prefix(255))
        return "<110>1 \(S3Date.iso8601(time)) \(host) souverain - AUDIT \(data) \(event.operation.rawValue)"
    }
}

public struct SyslogError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
