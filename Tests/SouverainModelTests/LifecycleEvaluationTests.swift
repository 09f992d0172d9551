import Foundation
import SouverainModel
import Testing

/// Lifecycle evaluation with a fixed "now": every action kind, filters, days against dates, the
/// day counting S3 documents, and locked versions left alone.
@Suite("Lifecycle evaluation")
struct LifecycleEvaluationTests {
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    }

    static func rule(
        _ id: String = "r", enabled: Bool = true, filter: LifecycleFilter = LifecycleFilter(), expiration: LifecycleExpiration? = nil,
        noncurrent: NoncurrentVersionExpiration? = nil, abortDays: Int? = nil
    ) -> LifecycleRule {
        LifecycleRule(id: id, isEnabled: enabled, filter: filter, expiration: expiration, noncurrentVersionExpiration: noncurrent,
                      abortIncompleteMultipartUploadDays: abortDays)
    }

    static let written = utc(2014, 1, 15, 10, 30)

    static func object(_ key: String = "logs/a", size: Int64 = 100, tags: [String: String] = [:], locked: Bool = false) -> LifecycleSubject {
        LifecycleSubject(key: key, size: size, tags: tags, lastModified: written, isLocked: locked)
    }

    // MARK: Counting days

    @Test func daysAreAddedThenRoundedUpToTheNextMidnightUTC() {
        // S3's own example: written 15 January 10:30 UTC, 3 days: from 19 January 00:00 UTC.
        #expect(LifecycleDays.standard.due(3, after: Self.written) == Self.utc(2014, 1, 19))
        // Written on a midnight: nothing to round.
        #expect(LifecycleDays.standard.due(1, after: Self.utc(2014, 1, 15)) == Self.utc(2014, 1, 16))
        // Just after midnight: the whole next day counts.
        #expect(LifecycleDays.standard.due(1, after: Self.utc(2014, 1, 15).addingTimeInterval(1)) == Self.utc(2014, 1, 17))
    }

    @Test func aShortenedDayCountsTheSameWay() {
        let days = LifecycleDays(secondsPerDay: 2)
        #expect(days.due(1, after: Date(timeIntervalSince1970: 1000.5)) == Date(timeIntervalSince1970: 1004))
        #expect(days.due(1, after: Date(timeIntervalSince1970: 1000)) == Date(timeIntervalSince1970: 1002))
        #expect(days.due(3, after: Date(timeIntervalSince1970: 1001)) == Date(timeIntervalSince1970: 1008))
    }

    @Test func anAbsurdNumberOfDaysIsNeverDue() {
        #expect(LifecycleDays.standard.due(Int.max, after: Self.written) == .distantFuture)
    }

    // MARK: Expiration of current objects

    @Test func aCurrentObjectExpiresFromItsDueMidnight() {
        let configuration = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(days: 3))])
        let subject = Self.object()
        #expect(configuration.decision(for: subject, now: Self.utc(2014, 1, 18, 23, 59)) == .none)
        #expect(configuration.decision(for: subject, now: Self.utc(2014, 1, 19)) == .act(.expireCurrent, rule: "r"))
        #expect(configuration.decision(for: subject, now: Self.utc(2015, 1, 1)) == .act(.expireCurrent, rule: "r"))
    }

    @Test func aDateExpiresEveryMatchingObjectFromThatMidnightWhateverItsAge() {
        let configuration = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(date: Self.utc(2014, 2, 1)))])
        #expect(configuration.decision(for: Self.object(), now: Self.utc(2014, 1, 31, 23, 59)) == .none)
        #expect(configuration.decision(for: Self.object(), now: Self.utc(2014, 2, 1)) == .act(.expireCurrent, rule: "r"))
        var young = Self.object()
        young.lastModified = Self.utc(2014, 1, 31, 23, 0)
        #expect(configuration.decision(for: young, now: Self.utc(2014, 2, 1)) == .act(.expireCurrent, rule: "r"))
    }

    @Test func aDisabledRuleDoesNothing() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(enabled: false, expiration: LifecycleExpiration(days: 1), noncurrent: .init(noncurrentDays: 1), abortDays: 1),
        ])
        let now = Self.utc(2020, 1, 1)
        #expect(configuration.decision(for: Self.object(), now: now) == .none)
        #expect(configuration.decision(forUploadOf: "logs/a", initiated: Self.written, now: now) == .none)
        #expect(!configuration.abortsUploads)
    }

    @Test func theFirstDueRuleInOrderDecides() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule("later", expiration: LifecycleExpiration(days: 30)),
            Self.rule("first", expiration: LifecycleExpiration(days: 3)),
            Self.rule("second", expiration: LifecycleExpiration(days: 2)),
        ])
        #expect(configuration.decision(for: Self.object(), now: Self.utc(2014, 1, 20)) == .act(.expireCurrent, rule: "first"))
    }

    // MARK: Filters

    @Test func aPrefixSelectsKeysByTheirBytes() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(filter: LifecycleFilter(form: .single, prefix: "logs/"), expiration: LifecycleExpiration(days: 1)),
        ])
        let now = Self.utc(2014, 2, 1)
        #expect(configuration.decision(for: Self.object("logs/a"), now: now) == .act(.expireCurrent, rule: "r"))
        #expect(configuration.decision(for: Self.object("logs"), now: now) == .none)
        #expect(configuration.decision(for: Self.object("data/logs/a"), now: now) == .none)
        #expect(configuration.decision(for: Self.object("Logs/a"), now: now) == .none)
    }

    struct SizeCase: Sendable, CustomTestStringConvertible {
        var greater: Int64?
        var less: Int64?
        var size: Int64
        var applies: Bool
        var testDescription: String { "> \(greater.map(String.init) ?? "-") < \(less.map(String.init) ?? "-") size \(size)" }
    }

    @Test(arguments: [
        SizeCase(greater: 100, less: nil, size: 100, applies: false), SizeCase(greater: 100, less: nil, size: 101, applies: true),
        SizeCase(greater: nil, less: 100, size: 100, applies: false), SizeCase(greater: nil, less: 100, size: 99, applies: true),
        SizeCase(greater: nil, less: 100, size: 0, applies: true), SizeCase(greater: 10, less: 20, size: 10, applies: false),
        SizeCase(greater: 10, less: 20, size: 11, applies: true), SizeCase(greater: 10, less: 20, size: 19, applies: true),
        SizeCase(greater: 10, less: 20, size: 20, applies: false),
    ])
    func sizeBoundsAreStrict(_ sizeCase: SizeCase) {
        let (greater, less, size, applies) = (sizeCase.greater, sizeCase.less, sizeCase.size, sizeCase.applies)
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(filter: LifecycleFilter(form: .and, objectSizeGreaterThan: greater, objectSizeLessThan: less),
                      expiration: LifecycleExpiration(days: 1)),
        ])
        let decision = configuration.decision(for: Self.object(size: size), now: Self.utc(2014, 2, 1))
        #expect(decision == (applies ? .act(.expireCurrent, rule: "r") : .none))
    }

    @Test func everyTagOfTheFilterMustBeOnTheObject() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(filter: LifecycleFilter(form: .and, prefix: "logs/", tags: [.init(key: "class", value: "tmp"), .init(key: "team", value: "a")]),
                      expiration: LifecycleExpiration(days: 1)),
        ])
        let now = Self.utc(2014, 2, 1)
        #expect(configuration.decision(for: Self.object(tags: ["class": "tmp", "team": "a", "x": "y"]), now: now) == .act(.expireCurrent, rule: "r"))
        #expect(configuration.decision(for: Self.object(tags: ["class": "tmp"]), now: now) == .none)
        #expect(configuration.decision(for: Self.object(tags: ["class": "tmp", "team": "b"]), now: now) == .none)
        #expect(configuration.decision(for: Self.object(), now: now) == .none)
        #expect(configuration.decision(for: Self.object("data/a", tags: ["class": "tmp", "team": "a"]), now: now) == .none)
    }

    // MARK: Noncurrent versions and delete markers

    static func noncurrent(since: Date, newer: Int, locked: Bool = false) -> LifecycleSubject {
        LifecycleSubject(
            key: "logs/a", versionID: "v1", size: 100, lastModified: written, isCurrent: false, becameNoncurrentAt: since,
            newerNoncurrentVersions: newer, hasOtherVersions: true, isLocked: locked)
    }

    @Test func aNoncurrentVersionGoesNoncurrentDaysAfterItWasReplaced() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(expiration: LifecycleExpiration(days: 1000), noncurrent: NoncurrentVersionExpiration(noncurrentDays: 2)),
        ])
        let replaced = Self.utc(2014, 3, 1, 12)
        #expect(configuration.decision(for: Self.noncurrent(since: replaced, newer: 0), now: Self.utc(2014, 3, 3, 23, 59)) == .none)
        #expect(configuration.decision(for: Self.noncurrent(since: replaced, newer: 0), now: Self.utc(2014, 3, 4))
            == .act(.deleteNoncurrentVersion, rule: "r"))
        // The current version is not expired by NoncurrentVersionExpiration.
        #expect(configuration.decision(for: Self.object(), now: Self.utc(2014, 3, 4)) == .none)
    }

    @Test func newerNoncurrentVersionsAreKept() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(noncurrent: NoncurrentVersionExpiration(noncurrentDays: 1, newerNoncurrentVersions: 2)),
        ])
        let now = Self.utc(2015, 1, 1)
        let since = Self.utc(2014, 3, 1)
        #expect(configuration.decision(for: Self.noncurrent(since: since, newer: 0), now: now) == .none)
        #expect(configuration.decision(for: Self.noncurrent(since: since, newer: 1), now: now) == .none)
        #expect(configuration.decision(for: Self.noncurrent(since: since, newer: 2), now: now) == .act(.deleteNoncurrentVersion, rule: "r"))
        #expect(configuration.decision(for: Self.noncurrent(since: since, newer: 5), now: now) == .act(.deleteNoncurrentVersion, rule: "r"))
    }

    @Test func expirationNeverDeletesANoncurrentVersion() {
        let configuration = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(days: 1))])
        #expect(configuration.decision(for: Self.noncurrent(since: Self.written, newer: 3), now: Self.utc(2020, 1, 1)) == .none)
    }

    static func marker(otherVersions: Bool) -> LifecycleSubject {
        LifecycleSubject(key: "logs/a", versionID: "m1", size: 0, lastModified: written, isDeleteMarker: true,
                         hasOtherVersions: otherVersions)
    }

    @Test func anExpiredDeleteMarkerIsRemovedWhenItHidesNothing() {
        let configuration = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(expiredObjectDeleteMarker: true))])
        let now = Self.utc(2014, 1, 15, 11)
        #expect(configuration.decision(for: Self.marker(otherVersions: false), now: now) == .act(.removeExpiredDeleteMarker, rule: "r"))
        #expect(configuration.decision(for: Self.marker(otherVersions: true), now: now) == .none)
        // false: the rule does nothing to markers, nor to objects.
        let off = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(expiredObjectDeleteMarker: false))])
        #expect(off.decision(for: Self.marker(otherVersions: false), now: now) == .none)
        #expect(off.decision(for: Self.object(), now: Self.utc(2030, 1, 1)) == .none)
    }

    @Test func expirationDaysAlsoRemoveAnExpiredDeleteMarkerOldEnough() {
        let configuration = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(days: 3))])
        #expect(configuration.decision(for: Self.marker(otherVersions: false), now: Self.utc(2014, 1, 18)) == .none)
        #expect(configuration.decision(for: Self.marker(otherVersions: false), now: Self.utc(2014, 1, 19))
            == .act(.removeExpiredDeleteMarker, rule: "r"))
        #expect(configuration.decision(for: Self.marker(otherVersions: true), now: Self.utc(2014, 1, 19)) == .none)
        // A date expires objects, never markers.
        let dated = LifecycleConfiguration(rules: [Self.rule(expiration: LifecycleExpiration(date: Self.utc(2014, 1, 16)))])
        #expect(dated.decision(for: Self.marker(otherVersions: false), now: Self.utc(2014, 2, 1)) == .none)
    }

    @Test func aSizeOrTagFilterDoesNotMatchADeleteMarker() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule(filter: LifecycleFilter(form: .single, objectSizeGreaterThan: 0), expiration: LifecycleExpiration(days: 1)),
        ])
        #expect(configuration.decision(for: Self.marker(otherVersions: false), now: Self.utc(2015, 1, 1)) == .none)
    }

    // MARK: Object Lock

    @Test func aLockedVersionIsNeverActedOnAndTheEvaluationSaysSo() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule("keep-nothing", expiration: LifecycleExpiration(days: 1), noncurrent: NoncurrentVersionExpiration(noncurrentDays: 1)),
        ])
        let now = Self.utc(2020, 1, 1)
        #expect(configuration.decision(for: Self.object(locked: true), now: now) == .refusedLocked(.expireCurrent, rule: "keep-nothing"))
        #expect(configuration.decision(for: Self.noncurrent(since: Self.written, newer: 0, locked: true), now: now)
            == .refusedLocked(.deleteNoncurrentVersion, rule: "keep-nothing"))
        // Not due yet: nothing to refuse.
        #expect(configuration.decision(for: Self.object(locked: true), now: Self.utc(2014, 1, 16)) == .none)
    }

    // MARK: Multipart uploads

    @Test func anUnfinishedUploadIsAbortedDaysAfterInitiation() {
        let configuration = LifecycleConfiguration(rules: [
            Self.rule("tags", filter: LifecycleFilter(form: .single, tags: [.init(key: "a", value: "b")]), expiration: LifecycleExpiration(days: 1)),
            Self.rule("tmp", filter: LifecycleFilter(form: .single, prefix: "tmp/"), abortDays: 7),
        ])
        #expect(configuration.abortsUploads)
        #expect(configuration.decision(forUploadOf: "tmp/big", initiated: Self.written, now: Self.utc(2014, 1, 22, 23)) == .none)
        #expect(configuration.decision(forUploadOf: "tmp/big", initiated: Self.written, now: Self.utc(2014, 1, 23))
            == .act(.abortUpload, rule: "tmp"))
        #expect(configuration.decision(forUploadOf: "keep/big", initiated: Self.written, now: Self.utc(2015, 1, 1)) == .none)
    }

    @Test func actionsAreNamedAsTheTrailRecordsThem() {
        #expect([LifecycleAction.expireCurrent, .deleteNoncurrentVersion, .removeExpiredDeleteMarker, .abortUpload].map(\.description)
            == ["lifecycle-expire", "lifecycle-delete-noncurrent", "lifecycle-remove-delete-marker", "lifecycle-abort-upload"])
    }
}
