import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import SouverainAudit
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainS3

/// One line of `POST /_souverain/placement/enforce`'s JSON Lines answer: an object examined,
/// where it was, where it went (`outcome` `moved`, ...), or why not.
struct RelocationLine: Codable {
    var bucket: String
    var key: String
    var size: Int64
    var classification: String
    var from: String
    var to: String?
    var outcome: String
    var message: String?
}

/// `GET /_souverain/migrate`: what is not at the target location yet.
public struct MigrationPlanAnswer: Codable, Sendable {
    public var objects: Int
    public var bytes: Int64
}

/// `POST /_souverain/migrate`: one step; `next` is where to go on from, absent once done.
public struct MigrationStepAnswer: Codable, Sendable {
    public var moved: Int
    public var movedBytes: Int64
    public var changed: Int
    public var failed: Int
    public var next: String?
}

extension S3Server {
    /// `POST /_souverain/placement/enforce` (admins): moves every object stored where its rules
    /// no longer allow it, and answers one JSON line per object. Each move is a record of the
    /// audit trail, with the location read and the location written; the old blobs are deleted
    /// by garbage collection after the grace period. One enforcement runs at a time.
    func enforcePlacement(_ call: inout S3Call, caller user: User) async throws -> Response {
        call.operationName = "EnforcePlacement"
        guard enforcement.start() else {
            throw S3Error(.operationAborted, "A placement enforcement is already running; try again when it has finished.")
        }
        defer { enforcement.finish() }
        var lines = ""
        let requestID = call.requestID
        let who = "\(user.name) (\(user.accessKeyID))"
        let source = call.remoteAddress
        var moved: Int64 = 0
        try await store.enforcePlacement { relocation in
            let line = RelocationLine(
                bucket: relocation.object.bucket, key: relocation.object.key, size: relocation.object.size,
                classification: relocation.classification, from: relocation.from, to: relocation.to,
                outcome: relocation.outcome.rawValue, message: relocation.message)
            lines += String(decoding: try AdminJSON.encoder().encode(line), as: UTF8.self) + "\n"
            guard relocation.outcome == .moved, let to = relocation.to else { return }
            moved += relocation.object.size
            try await recordRelocation(relocation.object, from: relocation.from, to: to, requestID: requestID, user: who, source: source)
        }
        call.bytesOut = Int64(lines.utf8.count)
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(string: lines)))
    }
}

extension S3Server {
    /// A `RelocateObject` record of the trail: an object's bytes read at `from`, written at `to`,
    /// deleted at `from` (by enforcement or migration).
    func recordRelocation(_ object: ObjectRecord, from: String, to: String, requestID: String, user: String, source: String?) async throws {
        guard let audit else { return }
        let size = UInt64(object.size)
        let event = AuditEvent(
            requestID: requestID, user: user, sourceAddress: source, operation: AuditOperation("RelocateObject"),
            bucket: object.bucket, key: object.key, bytesIn: size, bytesOut: size,
            locations: [audit.access(from, .read), audit.access(to, .write), audit.access(from, .delete)],
            status: 200, errorCode: nil)
        try await audit.record(event)
    }

    /// `souverain migrate` (admins): `GET /_souverain/migrate?bucket=B&to=L` says how many
    /// objects and bytes are not at L yet; `POST` with the same and optional `after=KEY` and
    /// `limit=N` (default 100) moves the next objects, each verified, and answers where to go on
    /// from (`next`, absent once done). Every object moved is a `RelocateObject` record.
    func migrationPlan(_ call: inout S3Call) async throws -> Response {
        let (bucket, target) = try Self.migrationTarget(call)
        let plan = try await store.migrationPlan(bucket: bucket, to: target)
        return try AdminJSON.response(MigrationPlanAnswer(objects: plan.objects, bytes: plan.bytes), call: &call)
    }

    func migrate(_ call: inout S3Call, caller user: User) async throws -> Response {
        let (bucket, target) = try Self.migrationTarget(call)
        let query = call.queryParameters
        let limit = min(max(Int(query["limit"] ?? "") ?? 100, 1), 10_000)
        let (requestID, who, source) = (call.requestID, "\(user.name) (\(user.accessKeyID))", call.remoteAddress)
        let step = try await store.migrate(bucket: bucket, to: target, after: query["after"].flatMap { $0.isEmpty ? nil : $0 }, limit: limit) {
            object, from in
            try await recordRelocation(object, from: from, to: target, requestID: requestID, user: who, source: source)
        }
        let answer = MigrationStepAnswer(moved: step.moved, movedBytes: step.movedBytes, changed: step.changed, failed: step.failed, next: step.next)
        return try AdminJSON.response(answer, call: &call)
    }

    private static func migrationTarget(_ call: S3Call) throws -> (bucket: String, target: String) {
        let query = call.queryParameters
        guard let bucket = query["bucket"], !bucket.isEmpty, let target = query["to"], !target.isEmpty else {
            throw S3Error(.invalidArgument, "Name the bucket and the target location: ?bucket=NAME&to=LOCATION.")
        }
        return (bucket, target)
    }
}

/// At most one placement enforcement at a time.
final class EnforcementGate: Sendable {
    private let running = NIOLockedValueBox(false)

    func start() -> Bool {
        running.withLockedValue { running in
            if running { return false }
            running = true
            return true
        }
    }

    func finish() { running.withLockedValue { $0 = false } }
}
