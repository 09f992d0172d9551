/// IAM's wildcard matching, for actions, resources and `StringLike` conditions: `*` matches any
/// run of characters (none included), `?` exactly one; everything else stands for itself.
public enum WildcardPattern {
    /// Whether `value` matches `pattern` as a whole. Actions compare without case, as IAM does;
    /// resources and condition values with it.
    public static func matches(_ pattern: String, _ value: String, ignoringCase: Bool = false) -> Bool {
        let p = Array((ignoringCase ? pattern.lowercased() : pattern).unicodeScalars)
        let v = Array((ignoringCase ? value.lowercased() : value).unicodeScalars)
        // Greedy with one backtrack point: linear in practice, never exponential.
        var pi = 0, vi = 0
        var star: Int?, resume = 0
        while vi < v.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == v[vi]) {
                pi += 1
                vi += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                resume = vi
                pi += 1
            } else if let star {
                pi = star + 1
                resume += 1
                vi = resume
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Whether `text` holds a wildcard character.
    public static func hasWildcard(_ text: String) -> Bool {
        text.contains("*") || text.contains("?")
    }
}
