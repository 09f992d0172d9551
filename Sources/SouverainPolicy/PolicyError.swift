/// Why a bucket policy was refused: the S3 error `MalformedPolicy` (400), with AWS's wording where
/// AWS has one ("Policy has invalid action", "Invalid principal in policy", ...) and the offending
/// value after it, so the author can find it.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
