/// A step of the `Location` protocol where a fault can be injected.
public enum LocationStep: String, Sendable, CaseIterable, Hashable {
    case makeBlobWriter, write, commit, read, delete
}

/// What goes wrong at a step.
public enum Fault: String, Sendable, CaseIterable, Hashable {
    /// The step throws a `StorageError` (`.unavailable`) and does nothing.
    case fail
    /// The step waits `FaultyLocation.delay`, then proceeds.
    case delay
    /// `write` only: part of the buffer is silently dropped; `commit` still reports every byte.
    case shortWrite
    /// `write`: one byte is flipped on its way to the location (the blob is damaged for good);
    /// `read`: one byte of a chunk is flipped on its way to the reader (this read only).
    case corrupt
    /// The step sleeps until its task is cancelled (at most `FaultyLocation.hangBound`, so a test
    /// always ends), then throws.
    case hang

    /// Whether the fault means something at `step`.
    public func applies(to step: LocationStep) -> Bool {
        switch self {
        case .fail, .delay, .hang: true
        case .shortWrite: step == .write
        case .corrupt: step == .write || step == .read
        }
    }
}

/// Which faults a `FaultyLocation` injects: for each step, each fault's probability per call.
public struct FaultPlan: Sendable, Equatable {
    public var probabilities: [LocationStep: [Fault: Double]]

    public init(_ probabilities: [LocationStep: [Fault: Double]] = [:]) {
        self.probabilities = probabilities
    }

    /// No fault anywhere.
    public static let off = FaultPlan()

    /// Every fault at every step where it applies, each with `probability`.
    public static func everywhere(_ probability: Double, except excluded: Set<Fault> = []) -> FaultPlan {
        var plan = FaultPlan()
        for step in LocationStep.allCases {
            for fault in Fault.allCases where fault.applies(to: step) && !excluded.contains(fault) {
                plan.probabilities[step, default: [:]][fault] = probability
            }
        }
        return plan
    }

    /// The plan with `fault` at `step` set to `probability`.
    public func with(_ fault: Fault, at step: LocationStep, probability: Double) -> FaultPlan {
        precondition(fault.applies(to: step), "\(fault) does not apply to \(step)")
        var plan = self
        plan.probabilities[step, default: [:]][fault] = probability
        return plan
    }

    /// The fault to inject at one call of `step`, drawn from `generator`; at most one per call,
    /// tried in a fixed order so a seed replays the same run.
    func draw(at step: LocationStep, using generator: inout SeededGenerator) -> Fault? {
        guard let faults = probabilities[step] else { return nil }
        for fault in Fault.allCases {
            if let probability = faults[fault], generator.chance(probability) { return fault }
        }
        return nil
    }
}

/// A fault a `FaultyLocation` injected, for a test to reason about (and print on failure).
public struct InjectedFault: Sendable, Equatable, CustomStringConvertible {
    public var step: LocationStep
    public var fault: Fault
    /// The blob it touched, when the step has one.
    public var locator: String?

    public var description: String { "\(fault) at \(step)" + (locator.map { " of \($0)" } ?? "") }
}
