import ArgumentParser
import Foundation
import SouverainPlacement
import SouverainStorageS3

/// One `[location ID]` section of the configuration file: where bytes go, and what that place is
/// legally (its sovereignty profile).
///
/// ```
/// [location ovh-gra]
/// kind = s3
/// endpoint = https://s3.gra.io.cloud.ovh.net
/// bucket = souverain-archives
/// prefix = blobs/
/// signing-region = gra
/// access-key = ...
/// secret-key-env = OVH_SECRET_KEY
/// ca-bundle = /etc/souverain/ovh-ca.pem      (optional: instead of the system trust store)
/// allow-plain-http = false                    (true lets an http:// endpoint through)
/// provider = ovhcloud
/// provider-region = gra
/// country = FR
/// preference = 1
/// ```
struct LocationSettings: Equatable {
    var id: String
    var kind: LocationKind = .local
    /// local: the directory (default DATA/locations/ID, or DATA/local for the implicit location).
    var path: String?
    // s3
    var endpoint: String?
    var bucket: String?
    var prefix = ""
    var signingRegion = "us-east-1"
    var accessKey: String?
    var secretKey: String?
    var secretKeyEnv: String?
    var secretKeyFile: String?
    /// A PEM file of the CAs the remote's certificate must chain to, instead of the system's.
    var caBundle: String?
    /// Whether a plain `http://` endpoint is accepted (docs/tls.md): never by default.
    var allowPlainHTTP = false
    // profile
    var provider = ProviderRegistry.onPremiseID
    var country: String?
    var providerRegion: String?
    var preference = 0
    var health: LocationHealth = .healthy
    var organisation: String?
    var operatorCountry: String?
    var parentName: String?
    var parentCountry: String?

    static let keys = [
        "kind", "path", "endpoint", "bucket", "prefix", "signing-region", "access-key", "secret-key", "secret-key-env",
        "secret-key-file", "ca-bundle", "allow-plain-http", "provider", "provider-region", "country", "preference", "health", "organisation",
        "operator-country", "parent-name", "parent-country",
    ]

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 63 && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    mutating func set(_ key: String, _ value: String) throws {
        func nonEmpty() throws -> String {
            guard !value.isEmpty else { throw ValidationError("location \(id): \(key) cannot be empty") }
            return value
        }
        func countryCode() throws -> String {
            let code = value.uppercased()
            guard ISOCountry.isValid(code) else {
                throw ValidationError("location \(id): \(key) must be an ISO 3166 alpha-2 country code such as FR, got '\(value)'")
            }
            return code
        }
        switch key {
        case "kind":
            guard let kind = LocationKind(rawValue: value) else {
                throw ValidationError("location \(id): kind must be local or s3, got '\(value)'")
            }
            self.kind = kind
        case "path": path = try nonEmpty()
        case "endpoint":
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw ValidationError("location \(id): endpoint must be an http:// or https:// URL, got '\(value)'")
            }
            endpoint = value
        case "bucket": bucket = try nonEmpty()
        case "prefix": prefix = value
        case "signing-region": signingRegion = try nonEmpty()
        case "access-key": accessKey = try nonEmpty()
        case "secret-key": secretKey = try nonEmpty()
        case "secret-key-env": secretKeyEnv = try nonEmpty()
        case "secret-key-file": secretKeyFile = try nonEmpty()
        case "ca-bundle": caBundle = try nonEmpty()
        case "allow-plain-http":
            guard let flag = Settings.flag(value) else {
                throw ValidationError("location \(id): allow-plain-http must be true or false, got '\(value)'")
            }
            allowPlainHTTP = flag
        case "provider": provider = try nonEmpty()
        case "provider-region": providerRegion = try nonEmpty()
        case "country": country = try countryCode()
        case "preference":
            guard let number = Int(value), number >= 0 else {
                throw ValidationError("location \(id): preference must be a whole number (lower is preferred), got '\(value)'")
            }
            preference = number
        case "health":
            guard let health = LocationHealth(rawValue: value) else {
                throw ValidationError("location \(id): health must be healthy, degraded or down, got '\(value)'")
            }
            self.health = health
        case "organisation": organisation = try nonEmpty()
        case "operator-country": operatorCountry = try countryCode()
        case "parent-name": parentName = try nonEmpty()
        case "parent-country": parentCountry = try countryCode()
        default:
            throw ValidationError("location \(id): unknown setting `\(key)` (known: \(Self.keys.joined(separator: ", ")))")
        }
    }

    /// Checks what a location of its kind needs.
    func validate() throws {
        guard Self.isValidID(id) else {
            throw ValidationError("location id '\(id)' must be 1 to 63 lowercase letters, digits or hyphens")
        }
        if kind == .s3 {
            for (key, value) in [("endpoint", endpoint), ("bucket", bucket), ("access-key", accessKey)] where value == nil {
                throw ValidationError("location \(id): an s3 location needs `\(key)`")
            }
            if [secretKey, secretKeyEnv, secretKeyFile].compactMap({ $0 }).count != 1 {
                throw ValidationError("location \(id): give exactly one of secret-key, secret-key-env, secret-key-file")
            }
            if let refusal = S3Location.transportRefusal(id: id, endpoint: endpoint!, allowPlainHTTP: allowPlainHTTP) {
                throw ValidationError(refusal)
            }
            if let caBundle, !FileManager.default.isReadableFile(atPath: caBundle) {
                throw ValidationError("location \(id): cannot read ca-bundle \(caBundle)")
            }
        }
    }

    /// The secret access key of an s3 location, from the file, the environment or the setting.
    func secret() throws -> String {
        if let secretKey { return secretKey }
        if let secretKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[secretKeyEnv], !value.isEmpty else {
                throw ValidationError("location \(id): the environment variable \(secretKeyEnv) (secret-key-env) is not set")
            }
            return value
        }
        if let secretKeyFile {
            guard let text = try? String(contentsOfFile: secretKeyFile, encoding: .utf8) else {
                throw ValidationError("location \(id): cannot read secret-key-file \(secretKeyFile)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw ValidationError("location \(id): no secret key configured")
    }

    /// The location as placement sees it.
    func descriptor(defaultCountry: String) -> LocationDescriptor {
        LocationDescriptor(
            id: id, kind: kind,
            profile: SovereigntyProfile(
                providerID: provider, country: country ?? defaultCountry, region: providerRegion,
                overrides: ProfileOverrides(
                    organisationName: organisation, operatorCountry: operatorCountry, ultimateParentName: parentName,
                    ultimateParentCountry: parentCountry)),
            health: health, preference: preference)
    }

    /// The section as the configuration file holds it (the secret only if given inline).
    func section() -> String {
        var lines = ["[location \(id)]", "kind = \(kind.rawValue)"]
        func add(_ key: String, _ value: String?) { if let value { lines.append("\(key) = \(value)") } }
        add("path", path)
        if kind == .s3 {
            add("endpoint", endpoint)
            add("bucket", bucket)
            if !prefix.isEmpty { add("prefix", prefix) }
            add("signing-region", signingRegion)
            add("access-key", accessKey)
            add("secret-key", secretKey)
            add("secret-key-env", secretKeyEnv)
            add("secret-key-file", secretKeyFile)
            add("ca-bundle", caBundle)
            if allowPlainHTTP { add("allow-plain-http", "true") }
        }
        add("provider", provider)
        add("provider-region", providerRegion)
        add("country", country)
        add("preference", String(preference))
        if health != .healthy { add("health", health.rawValue) }
        add("organisation", organisation)
        add("operator-country", operatorCountry)
        add("parent-name", parentName)
        add("parent-country", parentCountry)
        return lines.joined(separator: "\n") + "\n"
    }
}
