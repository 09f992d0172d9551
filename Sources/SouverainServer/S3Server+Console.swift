import Hummingbird
import HTTPTypes
import NIOCore
import SouverainConsole
import SouverainS3
import SouverainSigV4

/// The web console (docs/console.md) on the S3 endpoint: unsigned GET and HEAD of `/console` and
/// `/console/...` on the path-style endpoint. Everything else goes on as S3, so a bucket named
/// `console` is still reached by signed requests and on its virtual host.
extension S3Server {
    func consoleResponse(to request: Request, path: String, query: String, context: S3RequestContext) -> Response? {
        guard request.method == .get || request.method == .head, ConsoleSite.isConsolePath(path) else { return nil }
        guard addressing.bucket(fromHost: request.head.authority) == nil,
              websiteAddressing.bucket(fromHost: request.head.authority) == nil,
              request.headers[.authorization] == nil, !Self.isQuerySigned(query)
        else { return nil }
        let transport = ConsoleTransport(
            secure: access.secureTransport(peer: context.remoteAddress, forwardedProto: Self.consoleHeader(request, "x-forwarded-proto")),
            clientAddress: access.sourceAddress(peer: context.remoteAddress, forwardedFor: Self.consoleHeader(request, "x-forwarded-for")))
        let answer = ConsoleSite(region: verifier.region, oidc: consoleOIDC).answer(
            path: path, ifNoneMatch: request.headers[.ifNoneMatch], transport: transport)
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        headers[.server] = "Souverain"
        headers[.contentLength] = String(answer.body.count)
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: body)
    }

    static func consoleHeader(_ request: Request, _ name: String) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    /// Whether a query carries a Signature V4 or V2 presigned signature (then the request is S3's).
    static func isQuerySigned(_ query: String) -> Bool {
        query.split(separator: "&").contains { item in
            let name = item.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            return ["x-amz-signature", "x-amz-credential", "signature", "awsaccesskeyid"].contains(name)
        }
    }
}
