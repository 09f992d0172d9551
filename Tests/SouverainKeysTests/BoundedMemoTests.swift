import SouverainKeys
import Testing

@Suite struct BoundedMemoTests {
    @Test func theOldestPutInGoesFirstAndAReplacementKeepsItsPlace() {
        var memo = BoundedMemo<Int, String>(capacity: 3)
        for key in 1...3 { memo.set("v\(key)", for: key) }
        memo.set("again", for: 1)  // replaced, still the oldest
        #expect(memo.count == 3 && memo[1] == "again")
        memo.set("v4", for: 4)
        #expect(memo[1] == nil && memo[2] == "v2" && memo[4] == "v4" && memo.count == 3)
        memo.set("v5", for: 5)
        memo.set("v6", for: 6)
        #expect([2, 3, 4, 5, 6].map { memo[$0] } == [nil, nil, "v4", "v5", "v6"])
        memo.removeAll()
        #expect(memo.count == 0 && memo[6] == nil)
        for key in 7...10 { memo.set("v\(key)", for: key) }
        #expect([7, 8, 9, 10].map { memo[$0] } == [nil, "v8", "v9", "v10"])
    }
}
