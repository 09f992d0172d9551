import ArgumentParser

/// A failure of export or import at run time (not a usage error): ArgumentParser prints
/// `Error: message`, without the usage text, and the command exits with status 1.
struct PortabilityFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
