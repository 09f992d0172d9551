/// What every statement of a role's policies starts with (TrustPolicy, PermissionPolicy): a JSON
/// object with none of the fields this kind of policy prohibits and no field it does not know,
/// its optional Sid, the name errors call it by, and its Effect.
struct RoleStatementHeader {
    let object: [String: JSONValue]
    let sid: String?
    /// `statement <Sid>`, or `statement <position from 1>` without a Sid.
    let name: String
    let effect: PolicyStatement.Effect

    /// Reads statement number `index` (from 0); `prohibited` fields are refused with `refusal`.
    init(_ raw: JSONValue, index: Int, known: Set<String>, prohibited: [String], refusal: String) throws(PolicyError) {
        guard let object = raw.object else { throw PolicyError("Statement \(index + 1) must be a JSON object") }
        if prohibited.contains(where: { object[$0] != nil }) { throw PolicyError(refusal) }
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw PolicyError("Unknown field \(unknown)")
        }
        let sid = object["Sid"]?.string
        let name = sid.map { "statement \($0)" } ?? "statement \(index + 1)"
        guard let effect = object["Effect"]?.string.flatMap(PolicyStatement.Effect.init(rawValue:)) else {
            throw PolicyError("Missing or invalid Effect in \(name) (Allow or Deny)")
        }
        self.object = object
        self.sid = sid
        self.name = name
        self.effect = effect
    }
}
