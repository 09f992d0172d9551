import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainS3

/// CORS (docs/access.md): the bucket's rules (Put/Get/DeleteBucketCors), the unauthenticated
/// OPTIONS preflight answered from them, and the `Access-Control-*` headers of actual requests
/// whose Origin a rule allows.
extension S3Server {
    func bucketCors(
        _ operation: BucketAccessOperation, _ bucket: String, documents: [BucketAccessDocument: String], _ call: inout S3Call
    ) async throws -> Response {
        switch operation {
        case .putBucketCors:
            let configuration = try CORSConfiguration.parse(try await collectXML(call, limit: 256 * 1024))
            try await setDocument(bucket, .cors, String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self))
            call.detail = "CORS: \(configuration.rules.count) rule(s)"
            return Response(status: .ok)
        case .deleteBucketCors:
            try await setDocument(bucket, .cors, nil)
            return Response(status: .noContent)
        default:
            guard let configuration = Self.cors(documents) else {
                throw S3Error(.noSuchCORSConfiguration, "The CORS configuration does not exist", resource: bucket, extra: [("BucketName", bucket)])
            }
            return Self.xmlResponse(configuration.xml())
        }
    }

    static func cors(_ documents: [BucketAccessDocument: String]) -> CORSConfiguration? {
        documents[.cors].flatMap { try? JSONDecoder().decode(CORSConfiguration.self, from: Data($0.utf8)) }
    }

    static let corsRefusal = "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."

    /// An OPTIONS preflight: unauthenticated, as in AWS; answered from the bucket's rules.
    func preflight(_ call: inout S3Call) async throws -> Response {
        call.isAnonymous = true
        call.head = call.unsignedHead
        let operation = try S3Operation.parse(call.head, addressing: addressing)
        call.operation = operation
        call.operationName = "PreflightRequest"
        guard let origin = call.header("origin"), let method = call.header("access-control-request-method") else {
            throw S3Error(.invalidRequest, "Insufficient information. Origin request header and Access-Control-Request-Method are needed.")
        }
        let requested = (call.header("access-control-request-headers") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard let bucket = operation.bucket, try await store.catalogueStore.bucket(named: bucket) != nil,
              let configuration = try await corsConfiguration(bucket),
              let rule = configuration.rule(origin: origin, method: method, headers: requested)
        else {
            throw S3Error(.corsResponse, Self.corsRefusal)
        }
        var fields = Self.corsHeaders(rule, origin: origin)
        fields[.accessControlAllowMethods] = rule.allowedMethods.joined(separator: ", ")
        if !requested.isEmpty { fields[.accessControlAllowHeaders] = requested.joined(separator: ", ") }
        if let age = rule.maxAgeSeconds { fields[.accessControlMaxAge] = String(age) }
        fields[.vary] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
        return Response(status: .ok, headers: fields)
    }

    func corsConfiguration(_ bucket: String) async throws -> CORSConfiguration? {
        try await accessCache.access(bucket: bucket, catalogue: store.catalogueStore).cors
    }

    static func corsHeaders(_ rule: CORSConfiguration.Rule, origin: String) -> HTTPFields {
        var fields = HTTPFields()
        let wildcard = rule.allowedOrigins.contains("*")
        fields[.accessControlAllowOrigin] = wildcard ? "*" : origin
        if !wildcard { fields[.accessControlAllowCredentials] = "true" }
        if !rule.exposeHeaders.isEmpty { fields[.accessControlExposeHeaders] = rule.exposeHeaders.joined(separator: ", ") }
        return fields
    }

    /// Adds the CORS headers to the response of an actual request carrying an Origin a rule of
    /// its bucket allows (errors included, so a page can read them). Nothing without an Origin.
    func addCORSHeaders(to response: inout Response, _ call: S3Call) async {
        guard let origin = call.request.headers[.origin], let bucket = call.operation?.bucket,
              call.request.method != .options,
              let configuration = try? await corsConfiguration(bucket),
              let rule = configuration.rule(origin: origin, method: call.request.method.rawValue, headers: [])
        else { return }
        for field in Self.corsHeaders(rule, origin: origin) { response.headers[field.name] = field.value }
        response.headers[.vary] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
    }
}
