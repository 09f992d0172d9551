public import Foundation

/// The providers Souverain knows, with every fact's source and date. Decoded from
/// `registry.json` (format 1), which `Resources/build-registry.py` derives from the dataset.
public struct ProviderRegistry: Sendable, Hashable {
    public static let format = 1
    public static let onPremiseID = "on-premise"

    /// The day the dataset was compiled.
    public var asOf: Date
    public var derivedFrom: Provenance?
    public var sources: [String: Source]
    /// Sorted by id.
    public private(set) var providers: [Provider]
    private var index: [String: Int]

    public init(asOf: Date, derivedFrom: Provenance? = nil, sources: [String: Source], providers: [Provider]) {
        self.asOf = asOf
        self.derivedFrom = derivedFrom
        self.sources = sources
        self.providers = providers.sorted { $0.id < $1.id }
        var index: [String: Int] = [:]
        for (position, provider) in self.providers.enumerated() where index[provider.id] == nil {
            index[provider.id] = position
        }
        self.index = index
    }

    public func provider(id: String) -> Provider? { index[id].map { providers[$0] } }

    /// The registry shipped with this module. Decodes the file on every call: keep the result.
    public static func shipped() throws(ProviderRegistryError) -> ProviderRegistry {
        guard let url = Bundle.module.url(forResource: "registry", withExtension: "json") else {
            throw ProviderRegistryError(.resourceMissing, "registry.json is missing from the module's resources")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ProviderRegistryError(.resourceMissing, "registry.json cannot be read", cause: error)
        }
        return try decode(from: data)
    }

    /// Decodes and validates a registry file: format, vocabulary, dates, countries, ids, sources.
    public static func decode(from data: Data) throws(ProviderRegistryError) -> ProviderRegistry {
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw ProviderRegistryError(.invalidJSON, "the registry is not a JSON object")
        }
        let probe = try? JSONDecoder().decode(FormatProbe.self, from: data)
        guard let format = probe?.format else {
            throw ProviderRegistryError(.unsupportedFormat, "the registry has no numeric 'format'")
        }
        guard format == Self.format else {
            throw ProviderRegistryError(
                .unsupportedFormat, "registry format \(format) is not supported; this version reads format \(Self.format)")
        }
        let registry: ProviderRegistry
        do {
            registry = try JSONDecoder().decode(ProviderRegistry.self, from: data)
        } catch let error as ProviderRegistryError {
            throw error
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            throw ProviderRegistryError(.invalidJSON, field: renderPath(path), "\(renderPath(path)): \(reason)", cause: error)
        } catch {
            throw ProviderRegistryError(.invalidJSON, "the registry cannot be decoded", cause: error)
        }
        try registry.validate()
        return registry
    }

    /// The registry as JSON (keys sorted, dates as YYYY-MM-DD).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    func validate() throws(ProviderRegistryError) {
        var seen: Set<String> = []
        for provider in providers {
            let id = provider.id
            guard !seen.contains(id) else {
                throw ProviderRegistryError(.duplicateProvider, providerID: id, field: "id", "provider '\(id)' is listed twice")
            }
            seen.insert(id)
            guard id.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
                throw .invalid(id, "id", "'\(id)' is not a valid provider id (lowercase letters, digits, hyphens)")
            }
            if provider.kind == .onPremise, id != Self.onPremiseID {
                throw .invalid(id, "kind", "only the provider '\(Self.onPremiseID)' may be of kind on-premise")
            }
            try validateCountry(provider.legalSeatCountry.value, id, "legalSeatCountry.value")
            try validateCountry(provider.ultimateParent.value.country, id, "ultimateParent.value.country")
            if let percent = provider.euOwnership.value.percent, !(0...100).contains(percent) {
                throw .invalid(id, "euOwnership.value.percent", "\(percent) is not a percentage")
            }
            var regionCodes: Set<String> = []
            for (offerIndex, offer) in provider.objectStorage.enumerated() {
                for (regionIndex, region) in offer.regions.enumerated() {
                    let field = "objectStorage[\(offerIndex)].regions[\(regionIndex)]"
                    for code in [region.code] + region.aliases {
                        guard regionCodes.insert(code.lowercased()).inserted else {
                            throw .invalid(id, field + ".code", "region '\(code)' is listed twice")
                        }
                    }
                    try validateCountry(region.country.value, id, field + ".country.value")
                }
            }
            for fact in provider.factSnapshots() {
                for source in fact.sourceIDs where sources[source] == nil {
                    throw ProviderRegistryError(
                        .unknownSource, providerID: id, field: fact.field,
                        "provider '\(id)', field \(fact.field): source '\(source)' is not in the registry's sources"
                    )
                }
            }
        }
        guard let onPremise = provider(id: Self.onPremiseID), onPremise.kind == .onPremise else {
            throw ProviderRegistryError(
                .missingOnPremise, providerID: Self.onPremiseID,
                "the registry has no provider '\(Self.onPremiseID)' of kind on-premise"
            )
        }
    }

    private func validateCountry(_ code: String?, _ id: String, _ field: String) throws(ProviderRegistryError) {
        if let code, !ISOCountry.isValid(code) {
            throw .invalid(id, field, "'\(code)' is not an ISO 3166 country code")
        }
    }
}

/// Where a registry file came from.
public struct Provenance: Sendable, Hashable, Codable {
    public var file: String?
    public var schemaVersion: String?
    public var sha256: String?
    public var script: String?

    public init(file: String? = nil, schemaVersion: String? = nil, sha256: String? = nil, script: String? = nil) {
        self.file = file
        self.schemaVersion = schemaVersion
        self.sha256 = sha256
        self.script = script
    }
}

/// A source a fact cites.
public struct Source: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case press, primary, secondary
        case vendorDoc = "vendor-doc"
        /// Souverain's own: facts declared in a location profile.
        case souverain
        public init(from decoder: any Decoder) throws { self = try decodeVocabulary(decoder) }
    }

    public var title: String
    public var url: String?
    public var kind: Kind

    public init(title: String, url: String? = nil, kind: Kind) {
        self.title = title
        self.url = url
        self.kind = kind
    }
}

private struct FormatProbe: Decodable {
    var format: Int?
}

extension ProviderRegistry: Codable {
    private enum CodingKeys: String, CodingKey { case format, asOf, derivedFrom, sources, providers }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let day = try container.decode(String.self, forKey: .asOf)
        guard let asOf = CalendarDay.parse(day) else {
            throw DecodingError.dataCorruptedError(
                forKey: .asOf, in: container, debugDescription: "'\(day)' is not a date (YYYY-MM-DD)")
        }
        let envelopes = try container.decode([ProviderEnvelope].self, forKey: .providers)
        self.init(
            asOf: asOf,
            derivedFrom: try container.decodeIfPresent(Provenance.self, forKey: .derivedFrom),
            sources: try container.decode([String: Source].self, forKey: .sources),
            providers: envelopes.map(\.provider)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.format, forKey: .format)
        try container.encode(CalendarDay.format(asOf), forKey: .asOf)
        try container.encodeIfPresent(derivedFrom, forKey: .derivedFrom)
        try container.encode(sources, forKey: .sources)
        try container.encode(providers, forKey: .providers)
    }
}

/// Decodes one provider and names it in any error, by id or by position.
private struct ProviderEnvelope: Decodable {
    var provider: Provider

    private enum Keys: String, CodingKey { case id }

    init(from decoder: any Decoder) throws {
        let position = decoder.codingPath.last?.intValue.map { "providers[\($0)]" } ?? "providers"
        let id = (try? decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .id)) ?? nil
        guard let id, !id.isEmpty else {
            throw ProviderRegistryError(.invalidProvider, providerID: position, field: "id", "\(position): the provider has no id")
        }
        do {
            provider = try Provider(from: decoder)
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            let field = renderPath(Array(path.dropFirst(decoder.codingPath.count)))
            throw ProviderRegistryError.invalid(id, field, reason)
        }
    }
}
