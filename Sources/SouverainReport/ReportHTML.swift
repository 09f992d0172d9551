import Mustache

/// report.html: the same facts as report.json, for people, in one file with its CSS inline and
/// the dependency map drawn in SVG; no script, no font, no image from elsewhere, so it opens
/// anywhere, offline, years later. Rendered from the Mustache template below (swift-mustache
/// escapes every value for HTML; only the SVG, which DependencyMap escapes itself, is inserted raw).
public enum ReportHTML {
    public static func render(_ facts: ReportFacts) throws -> String {
        let template = try MustacheTemplate(string: page)
        return template.render(view(facts))
    }

    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    static func view(_ facts: ReportFacts) -> [String: Any] {
        let critical = facts.findings.filter { $0.severity == "critical" }.count
        let counts = Dictionary(grouping: facts.controls, by: \.status).mapValues(\.count)
        return [
            "generatedAt": facts.generatedAt, "schema": facts.schema, "periodFrom": facts.period.from, "periodTo": facts.period.to,
            "installation": [
                "region": facts.installation.region, "country": facts.installation.country,
                "defaultClassification": facts.installation.defaultClassification,
                "registryAsOf": facts.installation.registryAsOf, "registrySource": facts.installation.registrySource,
                "maxFactAgeDays": facts.installation.maxFactAgeDays,
            ] as [String: Any],
            "verdict": critical == 0 ? "No critical finding" : "\(critical) critical finding(s)",
            "verdictClass": critical == 0 ? "ok" : "bad",
            "hasFindings": !facts.findings.isEmpty, "hasMisplaced": !facts.misplaced.isEmpty,
            "findings": facts.findings.map { ["severity": $0.severity, "code": $0.code, "subject": $0.subject, "message": $0.message] },
            "buckets": facts.buckets.map { bucket -> [String: Any] in
                [
                    "name": bucket.name, "classification": bucket.classification, "objects": bucket.objects,
                    "bytes": bytes(bucket.bytes), "encrypted": "\(bucket.encryptedObjects) / \(bucket.objects)",
                    "shredded": bucket.shreddedAt ?? "",
                    "placements": bucket.locations.map { "\($0.location): \($0.objects) objects, \(bytes($0.bytes))" }.joined(separator: "; "),
                ]
            },
            "locations": facts.locations.map { location -> [String: Any] in
                [
                    "id": location.id, "kind": location.kind, "provider": location.providerName, "country": location.country,
                    "region": location.region ?? "-",
                    "parent": (location.ultimateParentName ?? "unknown") + " (" + (location.ultimateParentCountry ?? "?") + ")",
                    "exposure": location.exposure.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "),
                    "alert": location.nonEULawExposure || (!location.qualified && !location.onPremise),
                    "facts": location.facts.map { fact -> [String: Any] in
                        [
                            "field": fact.field, "value": fact.value, "asOf": fact.asOf, "verification": fact.verification,
                            "sources": fact.sources.joined(separator: ", "), "stale": fact.stale,
                        ]
                    },
                ]
            },
            "misplaced": facts.misplaced.map { item -> [String: Any] in
                [
                    "bucket": item.bucket, "location": item.location, "classification": item.classification, "objects": item.objects,
                    "bytes": bytes(item.bytes), "reasons": item.reasons.joined(separator: "; "),
                    "allowed": item.allowed.isEmpty ? "none: the rules must change" : item.allowed.joined(separator: ", "),
                ]
            },
            "audit": [
                "verified": facts.audit.verified, "result": facts.audit.verifierResult, "records": facts.audit.records,
                "checkpoints": facts.audit.checkpoints, "segments": facts.audit.segments,
                "lastCheckpoint": facts.audit.lastCheckpoint.map { "\($0)" } ?? "none", "unsignedTail": facts.audit.unsignedTail,
                "gaps": facts.audit.gaps, "publicKey": facts.audit.publicKey,
                "deniedByBucket": facts.audit.deniedByBucket.sorted { $0.key < $1.key }.map { ["name": $0.key, "count": $0.value] as [String: Any] },
                "deniedBySource": facts.audit.deniedBySource.sorted { $0.key < $1.key }.map { ["name": $0.key, "count": $0.value] as [String: Any] },
                "movements": facts.audit.movements.sorted { $0.key < $1.key }.map {
                    ["name": $0.key, "count": $0.value.count, "bytes": bytes(Int64(clamping: $0.value.bytes))] as [String: Any]
                },
            ] as [String: Any],
            "keys": [
                "store": facts.keys.storeKind == "pkcs11"
                    ? "PKCS#11 token \(facts.keys.tokenLabel ?? "?"), slot \(facts.keys.slot ?? "not read"), module \(facts.keys.storeLocation)"
                    : "keyring \(facts.keys.storeLocation)" + (facts.keys.sealed == true ? " (sealed by a passphrase)" : ""),
                "unavailable": facts.keys.storeUnavailable ?? "", "hasUnavailable": facts.keys.storeUnavailable != nil,
                "masterKeys": facts.keys.masterKeys.map {
                    ["reference": $0.reference, "created": $0.created, "age": $0.ageDays, "state": $0.state, "current": $0.current] as [String: Any]
                },
                "bucketKeys": facts.keys.bucketKeys.map {
                    ["bucket": $0.bucket, "version": $0.version, "created": $0.created, "age": $0.ageDays, "wrappedBy": $0.wrappedBy] as [String: Any]
                },
                "events": (facts.keys.rotations + facts.keys.shreddings).sorted { $0.sequence < $1.sequence }.map {
                    ["time": $0.time, "operation": $0.operation, "bucket": $0.bucket ?? "-", "sequence": $0.sequence] as [String: Any]
                },
            ] as [String: Any],
            "encryption": "\(facts.encryption.encryptedObjects) of \(facts.encryption.totalObjects) objects encrypted",
            "encryptionClass": facts.encryption.complete ? "ok" : "bad",
            "controlSummary": ["enforced", "evidenced", "operator-declaration", "not-covered"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", "),
            "controls": facts.controls.map { control -> [String: Any] in
                [
                    "id": control.id, "role": control.role, "requirement": control.requirement, "status": control.status,
                    "how": control.mechanism ?? control.note ?? "", "tests": control.tests.joined(separator: "\n"),
                    "evidence": control.evidence.joined(separator: ", "),
                    "holds": control.evidenceHolds.map { $0 ? "holds" : "DOES NOT HOLD" } ?? "",
                    "declaration": control.operatorDeclaration != nil,
                ]
            },
            "exitPlans": facts.exitPlans.map { plan -> [String: Any] in
                [
                    "provider": plan.providerName, "parent": plan.ultimateParent ?? "unknown", "locations": plan.locations.joined(separator: ", "),
                    "bytes": bytes(plan.bytes), "objects": plan.objects, "risk": plan.concentrationRisk, "time": plan.estimatedTime, "hasBuckets": !plan.buckets.isEmpty,
                    "buckets": plan.buckets.map { bucket -> [String: Any] in
                        [
                            "bucket": bucket.bucket, "classification": bucket.classification, "location": bucket.location,
                            "bytes": bytes(bucket.bytes), "objects": bucket.objects,
                            "alternatives": bucket.alternatives.isEmpty ? "none: the rules must change" : bucket.alternatives.joined(separator: ", "),
                            "commands": bucket.commands,
                        ]
                    },
                ]
            },
            "map": DependencyMap.svg(facts),
        ]
    }

    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Souverain compliance report, {{generatedAt}}</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1400px; color: #263238; line-height: 1.4; padding: 0 1rem; }
        h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #cfd8dc; padding-bottom: 0.2rem; margin-top: 2rem; }
        table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
        th, td { border: 1px solid #cfd8dc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
        th { background: #eceff1; }
        .ok { color: #2e7d32; font-weight: bold; } .bad { color: #c62828; font-weight: bold; }
        .critical { background: #ffebee; } .warning { background: #fff8e1; } .info { background: #e3f2fd; }
        .stale { color: #c62828; font-weight: bold; } .alert { color: #c62828; }
        .status-enforced { color: #2e7d32; } .status-evidenced { color: #1565c0; } .status-not-covered { color: #c62828; }
        code, pre { font-family: ui-monospace, monospace; font-size: 0.85rem; } pre { margin: 0; white-space: pre-wrap; }
        .declaration { border: 1px dashed #90a4ae; min-height: 1.2rem; }
        .map { overflow-x: auto; border: 1px solid #cfd8dc; padding: 0.5rem; }
        small { color: #607d8b; }
        </style>
        </head>
        <body>
        <h1>Souverain compliance report</h1>
        <p><small>Generated {{generatedAt}} for the period {{periodFrom}} to {{periodTo}} ({{schema}}). The facts are in report.json,
        signed with the audit trail's Ed25519 key in report.sig: check them with <code>souverain report verify</code> or docs/verify-report.py.</small></p>
        <p class="{{verdictClass}}">{{verdict}}</p>
        <p>Gateway region {{installation.region}}, country {{installation.country}}; default classification {{installation.defaultClassification}};
        provider registry as of {{installation.registryAsOf}} ({{installation.registrySource}}); facts older than {{installation.maxFactAgeDays}} days are stale.</p>

        <h2>Findings</h2>
        {{^findings}}<p class="ok">Nothing to flag.</p>{{/findings}}
        {{#hasFindings}}<table><tr><th>Severity</th><th>Code</th><th>Subject</th><th>Finding</th></tr>{{/hasFindings}}
        {{#findings}}<tr class="{{severity}}"><td>{{severity}}</td><td><code>{{code}}</code></td><td>{{subject}}</td><td>{{message}}</td></tr>
        {{/findings}}
        {{#hasFindings}}</table>{{/hasFindings}}

        <h2>Dependency map</h2>
        <div class="map">{{{map}}}</div>

        <h2>Where the data is</h2>
        <table><tr><th>Bucket</th><th>Classification</th><th>Objects</th><th>Bytes</th><th>Encrypted</th><th>Per location</th><th>Shredded</th></tr>
        {{#buckets}}<tr><td>{{name}}</td><td>{{classification}}</td><td>{{objects}}</td><td>{{bytes}}</td><td>{{encrypted}}</td><td>{{placements}}</td><td>{{shredded}}</td></tr>
        {{/buckets}}</table>
        {{#locations}}
        <h3 class="{{#alert}}alert{{/alert}}">Location {{id}} ({{kind}}): {{provider}}</h3>
        <p>Country {{country}}, region {{region}}; ultimate parent {{parent}}; exposure {{exposure}}.</p>
        <table><tr><th>Fact</th><th>Value</th><th>As of</th><th>Verification</th><th>Sources</th></tr>
        {{#facts}}<tr><td><code>{{field}}</code></td><td>{{value}}</td><td{{#stale}} class="stale"{{/stale}}>{{asOf}}{{#stale}} STALE{{/stale}}</td><td>{{verification}}</td><td>{{sources}}</td></tr>
        {{/facts}}</table>
        {{/locations}}

        <h2>Bytes the rules no longer allow</h2>
        {{^misplaced}}<p class="ok">Every copy is where its rules allow.</p>{{/misplaced}}
        {{#hasMisplaced}}<table><tr><th>Bucket</th><th>Location</th><th>Classification</th><th>Objects</th><th>Bytes</th><th>Why</th><th>May go to</th></tr>{{/hasMisplaced}}
        {{#misplaced}}<tr class="critical"><td>{{bucket}}</td><td>{{location}}</td><td>{{classification}}</td><td>{{objects}}</td><td>{{bytes}}</td><td>{{reasons}}</td><td>{{allowed}}</td></tr>
        {{/misplaced}}
        {{#hasMisplaced}}</table>{{/hasMisplaced}}

        <h2>Audit trail</h2>
        {{#audit}}
        <p>{{#verified}}<span class="ok">Chain verified</span>{{/verified}}{{^verified}}<span class="bad">Chain broken</span>{{/verified}}:
        {{result}}. {{records}} records, {{checkpoints}} checkpoints, {{segments}} segments; last checkpoint at sequence {{lastCheckpoint}}; {{unsignedTail}} unsigned record(s) after it.</p>
        {{#gaps}}<p class="bad">Gap: {{.}}</p>{{/gaps}}{{^gaps}}<p>No gap.</p>{{/gaps}}
        <p>Trail public key: <code>{{publicKey}}</code></p>
        <table><tr><th>Denied requests by bucket</th><th>Count</th></tr>{{#deniedByBucket}}<tr><td>{{name}}</td><td>{{count}}</td></tr>{{/deniedByBucket}}</table>
        <table><tr><th>Denied requests by source</th><th>Count</th></tr>{{#deniedBySource}}<tr><td>{{name}}</td><td>{{count}}</td></tr>{{/deniedBySource}}</table>
        <table><tr><th>Internal movements</th><th>Count</th><th>Bytes</th></tr>{{#movements}}<tr><td>{{name}}</td><td>{{count}}</td><td>{{bytes}}</td></tr>{{/movements}}</table>
        {{/audit}}

        <h2>Keys and encryption</h2>
        <p class="{{encryptionClass}}">{{encryption}}.</p>
        {{#keys}}
        <p>Key store: {{store}}.</p>
        {{#hasUnavailable}}<p class="bad">{{unavailable}}</p>{{/hasUnavailable}}
        <table><tr><th>Master key</th><th>Created</th><th>Age (days)</th><th>State</th><th>Current</th></tr>
        {{#masterKeys}}<tr><td>{{reference}}</td><td>{{created}}</td><td>{{age}}</td><td>{{state}}</td><td>{{#current}}yes{{/current}}</td></tr>{{/masterKeys}}</table>
        <table><tr><th>Bucket key</th><th>Version</th><th>Created</th><th>Age (days)</th><th>Wrapped by</th></tr>
        {{#bucketKeys}}<tr><td>{{bucket}}</td><td>{{version}}</td><td>{{created}}</td><td>{{age}}</td><td>{{wrappedBy}}</td></tr>{{/bucketKeys}}</table>
        <table><tr><th>Key event</th><th>Time</th><th>Bucket</th><th>Trail sequence</th></tr>
        {{#events}}<tr><td>{{operation}}</td><td>{{time}}</td><td>{{bucket}}</td><td>{{sequence}}</td></tr>{{/events}}</table>
        {{/keys}}

        <h2>Exit plans</h2>
        {{#exitPlans}}
        <h3>{{provider}}{{#risk}} <span class="bad">(concentration risk)</span>{{/risk}}</h3>
        <p>Parent {{parent}}; locations {{locations}}; {{objects}} objects, {{bytes}} depend on it. Estimated time: {{time}}.</p>
        {{#hasBuckets}}<table><tr><th>Bucket</th><th>Classification</th><th>At</th><th>Bytes</th><th>Eligible elsewhere</th><th>Commands</th></tr>{{/hasBuckets}}
        {{#buckets}}<tr><td>{{bucket}}</td><td>{{classification}}</td><td>{{location}}</td><td>{{bytes}}</td><td>{{alternatives}}</td><td>{{#commands}}<pre>{{.}}</pre>{{/commands}}</td></tr>
        {{/buckets}}
        {{#hasBuckets}}</table>{{/hasBuckets}}
        {{/exitPlans}}

        <h2>Controls</h2>
        <p>{{controlSummary}}.</p>
        <table><tr><th>Control</th><th>Role</th><th>Requirement</th><th>Status</th><th>How</th><th>Proof</th><th>Operator's declaration</th></tr>
        {{#controls}}<tr><td><code>{{id}}</code></td><td>{{role}}</td><td>{{requirement}}</td><td class="status-{{status}}">{{status}}</td><td>{{how}}</td>
        <td><pre>{{tests}}</pre>{{evidence}} {{holds}}</td><td>{{#declaration}}<div class="declaration"></div>{{/declaration}}</td></tr>
        {{/controls}}</table>
        </body>
        </html>

        """
}
