import Foundation

/// An STS error, as STS answers it: `ErrorResponse/Error` with a code, a message and the HTTP
/// status AWS documents for it. Messages say what happened and what to do, never a secret.
public struct STSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let status: Int
    public let message: String

    public init(code: String, status: Int, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func accessDenied(_ message: String) -> STSError { STSError(code: "AccessDenied", status: 403, message: message) }
    public static func validation(_ message: String) -> STSError { STSError(code: "ValidationError", status: 400, message: message) }
    public static func invalidIdentityToken(_ message: String) -> STSError { STSError(code: "InvalidIdentityToken", status: 400, message: message) }
    public static func expiredToken(_ message: String) -> STSError { STSError(code: "ExpiredTokenException", status: 400, message: message) }
    public static func malformedPolicy(_ message: String) -> STSError { STSError(code: "MalformedPolicyDocument", status: 400, message: message) }
    public static func invalidAction(_ message: String) -> STSError { STSError(code: "InvalidAction", status: 400, message: message) }
    public static func idpCommunication(_ message: String) -> STSError { STSError(code: "IDPCommunicationError", status: 400, message: message) }
    public static func missingAuthentication(_ message: String) -> STSError { STSError(code: "MissingAuthenticationToken", status: 403, message: message) }

    /// Whether the fault is the caller's (`Sender`) or the server's (`Receiver`).
    var type: String { status >= 500 ? "Receiver" : "Sender" }

    /// The XML body STS answers with.
    public func xmlBody(requestID: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <ErrorResponse xmlns="\(STSResponse.namespace)"><Error><Type>\(type)</Type><Code>\(STSResponse.escape(code))</Code>\
        <Message>\(STSResponse.escape(message))</Message></Error><RequestId>\(STSResponse.escape(requestID))</RequestId></ErrorResponse>
        """
    }
}
