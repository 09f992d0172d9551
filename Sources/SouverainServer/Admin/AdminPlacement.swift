import Foundation
import Hummingbird
import SouverainEngine
import SouverainPlacement
import SouverainS3

/// `GET /_souverain/placement/explain?classification=C` (anyone signed): what
/// `souverain placement explain --classification C` says, for a console to show before a bucket
/// is created: whether the classification can be placed, each location's verdict and reasons, and
/// the CLI's text as `summary`.
struct PlacementExplanationAnswer: Encodable {
    struct Location: Encodable {
        var name: String
        var provider: String
        var country: String
        /// Whether new bytes of the classification may be written there now.
        var accepted: Bool
        /// Why not, one line per rule broken (`code: message`); empty when accepted.
        var reasons: [String]
        var warnings: [String]
    }

    var classification: String
    /// Whether at least the required locations accept the classification's bytes.
    var allowed: Bool
    /// The refusal, as a refused write's PlacementViolation says it; absent when allowed.
    var message: String?
    /// The accepting locations, in the order writes use them.
    var eligibleOrder: [String]
    var locations: [Location]
    var summary: String

    init(_ explanation: PlacementExplanation) {
        classification = explanation.classification
        allowed = explanation.outcome == .placed
        message = explanation.message
        eligibleOrder = explanation.eligibleOrder
        locations = explanation.locations.map { location in
            Location(
                name: location.id, provider: location.providerName ?? location.providerID, country: location.country,
                accepted: location.eligible, reasons: location.reasons.map { "\($0.code): \($0.message)" },
                warnings: location.warnings.map { "\($0.code): \($0.message)" })
        }
        summary = explanation.text()
    }
}

extension S3Server {
    func explainPlacement(_ call: inout S3Call) throws -> Response {
        call.operationName = "ExplainPlacement"
        let classification = try AdminJSON.required("classification", call)
        call.detail = "classification \(classification)"
        return try AdminJSON.response(PlacementExplanationAnswer(store.placement.explain(classification: classification)), call: &call)
    }
}
