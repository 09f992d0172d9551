extension AuditKey {
    /// An Ed25519 signature over a document's exact bytes (the compliance report's `report.json`):
    /// the key that signs the trail's checkpoints vouches for evidence derived from the trail, so
    /// an auditor trusts one public key for both. Checkpoint messages start with their own tag
    /// (`AuditCheckpoint.signedBytes`), so a signed document can never pass for a checkpoint.
    public func signature(forDocument bytes: [UInt8]) throws(AuditError) -> [UInt8] {
        try sign(bytes)
    }
}
