import Testing
import SouverainS3

struct RangeCase: Sendable, CustomTestStringConvertible {
    let header: String?
    let size: Int64
    let expected: RangeRequest
    init(_ header: String?, _ size: Int64, _ expected: RangeRequest) {
        self.header = header
        self.size = size
        self.expected = expected
    }
    var testDescription: String { "\(header ?? "nil") of \(size)" }
}

private let rangeCases: [RangeCase] = [
    RangeCase(nil, 100, .none),
    RangeCase("", 100, .none),
    RangeCase("bytes=0-9", 100, .satisfiable(0...9)),
    RangeCase("bytes=0-0", 100, .satisfiable(0...0)),
    RangeCase("bytes=99-99", 100, .satisfiable(99...99)),
    RangeCase("bytes=10-", 100, .satisfiable(10...99)),
    RangeCase("bytes=0-", 100, .satisfiable(0...99)),
    RangeCase("bytes=-10", 100, .satisfiable(90...99)),
    RangeCase("bytes=-100", 100, .satisfiable(0...99)),
    RangeCase("bytes=-1000", 100, .satisfiable(0...99)),
    RangeCase("bytes=50-1000", 100, .satisfiable(50...99)),
    RangeCase("bytes=0-99999999999999999999999", 100, .satisfiable(0...99)),
    RangeCase("bytes=-99999999999999999999999", 100, .satisfiable(0...99)),
    RangeCase("Bytes=1-2", 100, .satisfiable(1...2)),
    RangeCase(" bytes=1-2 ", 100, .satisfiable(1...2)),
    // Unsatisfiable.
    RangeCase("bytes=100-", 100, .unsatisfiable),
    RangeCase("bytes=100-200", 100, .unsatisfiable),
    RangeCase("bytes=99999999999999999999999-", 100, .unsatisfiable),
    RangeCase("bytes=-0", 100, .unsatisfiable),
    RangeCase("bytes=0-", 0, .unsatisfiable),
    RangeCase("bytes=0-0", 0, .unsatisfiable),
    RangeCase("bytes=-5", 0, .unsatisfiable),
    RangeCase("bytes=-0", 0, .unsatisfiable),
    // Ignored: the whole object.
    RangeCase("bytes=5-1", 100, .none),
    RangeCase("bytes=0-1,3-4", 100, .none),
    RangeCase("bytes=-", 100, .none),
    RangeCase("bytes=", 100, .none),
    RangeCase("bytes=a-b", 100, .none),
    RangeCase("bytes=+1-2", 100, .none),
    RangeCase("bytes=1--2", 100, .none),
    RangeCase("bytes=1 -2", 100, .none),
    RangeCase("bytes 0-9", 100, .none),
    RangeCase("items=0-9", 100, .none),
    RangeCase("bytes=0x10-20", 100, .none),
    RangeCase("0-9", 100, .none),
    RangeCase("bytes=١-٢", 100, .none),
]

@Suite("Range header")
struct RangeRequestTests {
    @Test(arguments: rangeCases)
    func parse(_ testCase: RangeCase) {
        #expect(RangeRequest.parse(testCase.header, size: testCase.size) == testCase.expected)
    }

    @Test func contentRange() {
        #expect(RangeRequest.contentRange(0...9, size: 100) == "bytes 0-9/100")
        #expect(RangeRequest.contentRange(99...99, size: 100) == "bytes 99-99/100")
        #expect(RangeRequest.unsatisfiedContentRange(size: 100) == "bytes */100")
    }
}
