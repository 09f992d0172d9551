public import SouverainCatalogue
public import SouverainKeys
public import SouverainModel

/// Users' secret access keys at rest: sealed by the key store's master key (`SealedSecret`), as
/// bucket keys are wrapped by it, so the catalogue file never holds one in clear. Opened secrets
/// are cached by user, and opened again when the stored form changes (a re-seal elsewhere).
public actor UserCredentials {
    public nonisolated let store: any KeyStore
    private let catalogue: any Catalogue
    /// Opened secrets by user id, with the stored form they were opened from.
    private var opened: [String: (stored: String, secret: String)] = [:]

    public init(store: any KeyStore, catalogue: any Catalogue) {
        self.store = store
        self.catalogue = catalogue
    }

    /// Registers a new user with a fresh id and its secret sealed. Throws the catalogue's
    /// `.userExists` when the name or access key is taken.
    public func addUser(name: String, role: Role, accessKeyID: String, secretAccessKey: String) async throws -> User {
        let id = User.makeID()
        let sealed = try await SealedSecret.seal(secretAccessKey, context: id, store: store)
        let user = User(id: id, name: name, accessKeyID: accessKeyID, storedSecret: sealed, role: role)
        try await catalogue.addUser(user)
        return user
    }

    /// The user's secret access key, for verifying its signatures.
    public func secretAccessKey(of user: User) async throws -> String {
        if let cached = opened[user.id], cached.stored == user.storedSecret { return cached.secret }
        guard SealedSecret.isSealed(user.storedSecret) else {
            throw EngineError(.internalError, "the secret of user \(user.name) is not sealed: start the server once to seal it")
        }
        let secret = try await SealedSecret.open(user.storedSecret, context: user.id, store: store)
        opened[user.id] = (user.storedSecret, secret)
        return secret
    }

    /// Seals every secret a catalogue written before secrets were sealed still holds in clear.
    /// Returns how many were sealed. Run at start-up by the server and the CLI.
    public func sealClearSecrets() async throws -> Int {
        var count = 0
        for user in try await catalogue.users() where !SealedSecret.isSealed(user.storedSecret) {
            let sealed = try await SealedSecret.seal(user.storedSecret, context: user.id, store: store)
            try await catalogue.setStoredSecret(userID: user.id, sealed)
            count += 1
        }
        return count
    }

    /// Re-seals every secret that the key store's current master key does not seal yet (after a
    /// rotation). Returns how many were re-sealed.
    func resealUnderCurrentMaster() async throws -> Int {
        let master = try await store.currentMasterKey()
        var count = 0
        for user in try await catalogue.users() where SealedSecret.isSealed(user.storedSecret) {
            guard try SealedSecret.master(of: user.storedSecret) != master else { continue }
            let secret = try await SealedSecret.open(user.storedSecret, context: user.id, store: store)
            try await catalogue.setStoredSecret(userID: user.id, try await SealedSecret.seal(secret, context: user.id, store: store))
            count += 1
        }
        return count
    }

    /// How many users' secrets each master key version seals.
    func secretsByMaster() async throws -> [UInt32: Int] {
        var counts: [UInt32: Int] = [:]
        for user in try await catalogue.users() where SealedSecret.isSealed(user.storedSecret) {
            counts[try SealedSecret.master(of: user.storedSecret).version, default: 0] += 1
        }
        return counts
    }
}

extension ObjectStore {
    /// The secret access key that `user`'s signatures are made with.
    public func secretAccessKey(of user: User) async throws -> String {
        guard let credentials else {
            throw EngineError(.unavailable, "no key store is open to unseal users' secrets")
        }
        return try await credentials.secretAccessKey(of: user)
    }
}
