import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SouverainCatalogue
import SouverainEngine
import SouverainModel
import SouverainPolicy
import SouverainS3
import SouverainSigV4
import SouverainSTS

/// STS on the S3 endpoint (docs/sts.md): `POST /` with a form body naming `Action=AssumeRole`,
/// `GetSessionToken` or `AssumeRoleWithWebIdentity` (what boto3's sts client sends with
/// `endpoint_url` set to this server), answered in STS's XML; and the sessions those calls issue,
/// checked on every request made with their credentials.
extension S3Server {
    /// Whether a request is an STS call: a form POST to the service root (an S3 POST always names
    /// a bucket, in the path or the host).
    func isSTSRequest(_ call: S3Call) -> Bool {
        guard call.request.method == .post, call.path == "/", call.query.isEmpty else { return false }
        guard let type = call.request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return false }
        return addressing.bucket(fromHost: call.request.head.authority) == nil
    }

    /// Serves one STS call; every failure is an `STSError` (rendered as STS's `ErrorResponse`).
    func handleSTS(_ call: inout S3Call) async throws -> Response {
        call.operationName = "STS"
        do {
            return try await issueSession(&call)
        } catch let error as STSError {
            throw error
        } catch {
            let s3Error = S3Error.from(error, resource: nil)
            let code = switch s3Error.code {
            case .invalidAccessKeyId: "InvalidClientTokenId"
            case .internalError: "InternalFailure"
            default: s3Error.code.name
            }
            throw STSError(code: code, status: s3Error.status, message: s3Error.message)
        }
    }

    private func issueSession(_ call: inout S3Call) async throws -> Response {
        guard let sts else { throw STSError.invalidAction("STS is not enabled on this server") }
        let body: ByteBuffer
        do {
            body = try await call.request.body.collect(upTo: 64 * 1024)
        } catch {
            throw STSError.validation("The request body is larger than 64 KiB")
        }
        call.bytesIn = Int64(body.readableBytes)
        let parameters = FormEncoding.parse(String(buffer: body))
        call.operationName = STSRequest.actionName(parameters)
        let request = try STSRequest.parse(parameters)
        let now = Date()
        let session: Session
        var webIdentity: (subject: String, audience: String, provider: String)?
        switch request {
        case .assumeRole(let roleName, let sessionName, let asked):
            let user = try await stsCaller(&call, body: body)
            let (role, trust) = try await trustedRole(roleName, action: "sts:AssumeRole")
            guard trust.allows(.user(id: user.id, name: user.name), action: "sts:AssumeRole", sourceIP: call.remoteAddress, now: now) else {
                throw STSError.accessDenied("User: arn:aws:iam::souverain:user/\(user.name) is not authorized to perform: sts:AssumeRole on resource: \(RoleName.arn(roleName))")
            }
            let seconds = try RoleDefinition.sessionSeconds(asked, minimum: sts.minimumSessionSeconds, maximum: role.maxSessionSeconds, fallback: 3600)
            session = Session(
                kind: .role, accessKeyID: Session.makeAccessKeyID(), secretAccessKey: Session.makeSecret(),
                expiration: now.addingTimeInterval(TimeInterval(seconds)), role: roleName, sessionName: sessionName,
                userID: user.id, userName: user.name)
        case .getSessionToken(let asked):
            let user = try await stsCaller(&call, body: body, assumingRole: false)
            // AWS's range: 15 minutes to 36 hours, 12 hours by default.
            let seconds = try RoleDefinition.sessionSeconds(asked, minimum: sts.minimumSessionSeconds, maximum: 129_600, fallback: 43_200)
            session = Session(
                kind: .user, accessKeyID: Session.makeAccessKeyID(), secretAccessKey: Session.makeSecret(),
                expiration: now.addingTimeInterval(TimeInterval(seconds)), userID: user.id, userName: user.name)
        case .assumeRoleWithWebIdentity(let roleName, let sessionName, let token, let asked):
            // Unsigned, as AWS's: the token is the credential.
            call.isAnonymous = true
            guard let oidc = sts.oidc else {
                throw STSError.invalidIdentityToken("No OpenID Connect issuer is configured on this server (setting oidc-issuers)")
            }
            let identity = try await oidc.verify(token, now: now)
            call.detail = "web identity \(identity.issuer) subject \(identity.subject)"
            let (role, trust) = try await trustedRole(roleName, action: "sts:AssumeRoleWithWebIdentity")
            guard trust.allows(.webIdentity(issuer: identity.issuer, claims: identity.claims), action: "sts:AssumeRoleWithWebIdentity",
                               sourceIP: call.remoteAddress, now: now) else {
                throw STSError.accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity on \(RoleName.arn(roleName)): its trust policy does not allow this web identity")
            }
            let seconds = try RoleDefinition.sessionSeconds(asked, minimum: sts.minimumSessionSeconds, maximum: role.maxSessionSeconds, fallback: 3600)
            session = Session(
                kind: .role, accessKeyID: Session.makeAccessKeyID(), secretAccessKey: Session.makeSecret(),
                expiration: now.addingTimeInterval(TimeInterval(seconds)), role: roleName, sessionName: sessionName,
                issuer: identity.issuer, subject: identity.subject)
            webIdentity = (identity.subject, identity.audience, TrustPolicy.conditionPrefix(issuer: identity.issuer))
        }
        let token = try await SessionToken.seal(session, store: sts.sessions.store)
        // The trail names the session issued (never its secret or token).
        call.detail = "issued \(session.auditIdentity) until \(session.expiration.formatted(.iso8601))"
        let credentials = STSResponse.Credentials(
            accessKeyID: session.accessKeyID, secretAccessKey: session.secretAccessKey, sessionToken: token, expiration: session.expiration)
        let xml = STSResponse.xml(
            action: request.name, credentials: credentials,
            assumedRole: session.role.map { ($0, session.sessionName ?? "") }, webIdentity: webIdentity, requestID: call.requestID)
        call.bytesOut = Int64(xml.utf8.count)
        return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    /// The role and its parsed trust policy; a missing role is AccessDenied, as AWS answers.
    private func trustedRole(_ name: String, action: String) async throws -> (RoleRecord, TrustPolicy) {
        guard let role = try await store.catalogueStore.role(named: name), let trust = try? TrustPolicy.parse(role.trustPolicy) else {
            throw STSError.accessDenied("Not authorized to perform \(action) on resource: \(RoleName.arn(name))")
        }
        return (role, trust)
    }

    /// The user who signed an AssumeRole or GetSessionToken call (Signature V4, service `sts`).
    /// STS clients do not send `x-amz-content-sha256`: the body's hash is computed here, and a
    /// header that disagrees with the body is refused.
    private func stsCaller(_ call: inout S3Call, body: ByteBuffer, assumingRole: Bool = true) async throws -> User {
        var headers = call.request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        if let authority = call.request.head.authority { headers.insert((name: "host", value: authority), at: 0) }
        let hash = Hex.encode(Array(SHA256.hash(data: Array(buffer: body))))
        if let declared = headers.first(where: { $0.name == "x-amz-content-sha256" })?.value, declared != hash {
            throw STSError(code: "SignatureDoesNotMatch", status: 403, message: "The request body does not match its x-amz-content-sha256.")
        }
        headers.removeAll { $0.name == "x-amz-content-sha256" }
        headers.append((name: "x-amz-content-sha256", value: hash))
        let signed = SigV4Request(method: "POST", path: call.path, query: call.query, headers: headers)
        let stsVerifier = SigV4Verifier(region: verifier.region, service: "sts", allowedSkew: verifier.allowedSkew)
        guard let authentication = try stsVerifier.parse(signed) else {
            throw STSError.missingAuthentication("Request is missing Authentication Token: AssumeRole and GetSessionToken are signed (Signature Version 4) with a user's access key")
        }
        guard !Session.isSessionKey(authentication.accessKeyID) else {
            throw STSError.accessDenied("AssumeRole and GetSessionToken are called with a user's long-lived access key, not a session's")
        }
        let user = try await self.user(claiming: authentication.accessKeyID, &call)
        call.signature = try stsVerifier.verify(authentication, secretAccessKey: try await store.secretAccessKey(of: user), request: signed, now: Date())
        call.user = user
        // An auditor's GetSessionToken session is an auditor too (the console signs in that way);
        // a role would give it S3 access its own role does not have.
        guard user.role.usesBuckets || !assumingRole else {
            throw STSError.accessDenied("The \(user.role.rawValue) role reads the audit trail and nothing else: it assumes no role")
        }
        return user
    }

    /// The user a session's access key stands for, once its token opens and has not expired:
    /// the user itself for GetSessionToken, a user of its own (id `role:NAME`, no grant, owning
    /// only what the role created) for a role, whose permission policy is then applied to every
    /// request (`authorizeRoleSession`). Throws S3's InvalidToken or ExpiredToken.
    func sessionUser(claiming accessKeyID: String, _ call: inout S3Call) async throws -> User {
        guard let sts else { throw S3Error(.invalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.") }
        let token = call.request.headers[.amzSecurityToken] ?? call.queryParameters["X-Amz-Security-Token"]
        let session: Session
        do {
            session = try await sts.sessions.session(token: token, accessKeyID: accessKeyID, now: Date())
        } catch {
            throw S3Error(error.code == "ExpiredToken" ? .expiredToken : .invalidToken, error.message)
        }
        call.logMetadata["session"] = "\(session.auditIdentity)"
        switch session.kind {
        case .user:
            guard let id = session.userID, let user = try await store.catalogueStore.user(id: id) else {
                throw S3Error(.invalidToken, "The provided token is malformed or otherwise invalid: its user no longer exists.")
            }
            call.session = SessionContext(session: session, permissions: nil)
            return user
        case .role:
            guard let name = session.role, let role = try await store.catalogueStore.role(named: name),
                  let permissions = try? PermissionPolicy.parse(role.permissionPolicy) else {
                throw S3Error(.invalidToken, "The provided token is malformed or otherwise invalid: its role no longer exists.")
            }
            call.session = SessionContext(session: session, permissions: permissions)
            return User(id: "role:" + name, name: "role/" + name, accessKeyID: accessKeyID, storedSecret: "", role: .user)
        }
    }

    /// The secret a request's signature is checked with: the session's, or the user's own.
    func secretAccessKey(of user: User, _ call: S3Call) async throws -> String {
        if let session = call.session?.session { return session.secretAccessKey }
        return try await store.secretAccessKey(of: user)
    }

    /// A role session's permission policy applied to one (action, resource): an Allow is needed,
    /// and a Deny refuses. Nothing for a request made without a role session.
    func authorizeRoleSession(action: String, resource: String, _ call: S3Call, configure: (inout PolicyRequest) -> Void = { _ in }) throws {
        guard let context = call.session, let permissions = context.permissions else { return }
        var request = PolicyRequest(
            identity: .user(id: "role:" + (context.session.role ?? ""), name: context.session.role ?? ""), action: action, resource: resource,
            sourceIP: call.sourceAddress ?? call.remoteAddress, secureTransport: false, now: Date())
        configure(&request)
        let role = context.session.role ?? "?"
        switch permissions.evaluate(request) {
        case .allow: return
        case .deny(let sid):
            throw S3Error(.accessDenied, "Access Denied: explicitly denied by the permission policy of role \(role)" + (sid.map { " (statement \($0))" } ?? ""))
        case .notApplicable:
            throw S3Error(.accessDenied, "Access Denied: the permission policy of role \(role) does not allow \(action) on \(resource)")
        }
    }

    /// Who a session is behind an admin API role gate (`AdminRoleGate`). A GetSessionToken session
    /// is its user, with the user's own role and nothing more (a console signs in that way). A role
    /// session (AssumeRole, web identity) passes only where its permission policy allows
    /// `souverain:<AdminAction>`, and then acts as an admin for that call alone. Calls open to
    /// anyone signed (`whoami`, `placement/explain`) have no gate: a role session is a plain user there.
    func adminCaller(_ user: User, _ call: S3Call) throws -> User {
        guard let context = call.session, context.permissions != nil else { return user }
        try authorizeRoleSession(action: "souverain:" + (call.operationName ?? "AdminAPI"), resource: "*", call)
        var admin = user
        admin.role = .admin
        return admin
    }
}

extension HTTPField.Name {
    static let amzSecurityToken = HTTPField.Name("x-amz-security-token")!
}
