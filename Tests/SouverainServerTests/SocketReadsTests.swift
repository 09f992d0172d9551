import NIOCore
import Testing
@testable import SouverainServer

struct SocketReadsTests {
    /// Feeds reads that fill their buffer until the size stops growing; returns the sizes seen.
    func fill(_ allocator: inout SocketReads.Allocator, reads: Int = 12) -> [Int] {
        var sizes: [Int] = []
        for _ in 0..<reads {
            let size = allocator.nextBufferSize()!
            sizes.append(size)
            _ = allocator.record(actualReadBytes: size)
        }
        return sizes
    }

    /// Feeds short reads (a request head, say) until the size is back at NIO's default ceiling or below.
    func drain(_ allocator: inout SocketReads.Allocator) {
        for _ in 0..<16 { _ = allocator.record(actualReadBytes: 100) }
    }

    @Test func readsThatFillTheirBufferGrowPastNIOsDefaultToTheLargest() {
        let reads = SocketReads(largeConnections: 2)
        var allocator = reads.allocator()
        #expect(allocator.nextBufferSize() == 2048)
        let sizes = fill(&allocator)
        #expect(sizes.prefix(6) == [2048, 4096, 8192, 16384, 32768, 65536])
        #expect(sizes.contains(131072))
        #expect(sizes.last == SocketReads.largest)
        #expect(allocator.buffer(allocator: ByteBufferAllocator()).capacity >= SocketReads.largest)
        #expect(reads.connectionsWithLargeReads == 1)
    }

    @Test func shortReadsShrinkTheBufferAndGiveThePlaceBack() {
        let reads = SocketReads(largeConnections: 2)
        var allocator = reads.allocator()
        _ = fill(&allocator)
        #expect(reads.connectionsWithLargeReads == 1)
        drain(&allocator)
        #expect(allocator.nextBufferSize()! <= SocketReads.defaultLargest)
        #expect(reads.connectionsWithLargeReads == 0)
    }

    @Test func beyondTheLargeConnectionsAConnectionReadsAsNIOsDefault() {
        let reads = SocketReads(largeConnections: 1)
        var first = reads.allocator()
        var second = reads.allocator()
        #expect(fill(&first).last == SocketReads.largest)
        let held = fill(&second)
        #expect(held.max() == SocketReads.defaultLargest)
        #expect(second.buffer(allocator: ByteBufferAllocator()).capacity < 2 * SocketReads.defaultLargest)
        #expect(reads.connectionsWithLargeReads == 1)
        // Once the first connection's reads shrink, the second one's next full read takes its place.
        drain(&first)
        #expect(fill(&second, reads: 6).last == SocketReads.largest)
        #expect(reads.connectionsWithLargeReads == 1)
    }

    @Test func aClosedConnectionGivesItsPlaceBack() {
        let reads = SocketReads(largeConnections: 1)
        do {
            var allocator = reads.allocator()
            #expect(fill(&allocator).last == SocketReads.largest)
            #expect(reads.connectionsWithLargeReads == 1)
        }
        #expect(reads.connectionsWithLargeReads == 0)
        var next = reads.allocator()
        #expect(fill(&next).last == SocketReads.largest)
    }
}
