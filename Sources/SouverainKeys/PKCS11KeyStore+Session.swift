import CPKCS11

/// One logged-in read-write session on one token, and the few PKCS#11 calls the store makes.
///
/// Not thread-safe, like a PKCS#11 session: only ``PKCS11KeyStore`` holds it, and the actor
/// serialises every call. Return codes become ``KeysError`` values naming the `CKR_…` code and
/// the operation, never a PIN or key bytes.
struct PKCS11Session {
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    let handle: CK_SESSION_HANDLE
    /// The slot the token was found in (reported, never used to find it again).
    var slot: CK_SLOT_ID = 0

    /// Loads the module, initialises it (once per process: `CKR_CRYPTOKI_ALREADY_INITIALIZED`
    /// is success), finds the one token labelled `tokenLabel`, opens a session and logs in.
    static func open(modulePath: String, tokenLabel: String, pin: String) throws -> PKCS11Session {
        var list: CK_FUNCTION_LIST_PTR?
        var loaderError = [CChar](repeating: 0, count: 512)
        let loaded = souverain_p11_load(modulePath, &list, &loaderError, loaderError.count)
        guard loaded == CK_RV(CKR_OK), let functions = list else {
            let detail = loaderError.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KeysError(
                .keyStoreUnavailable,
                "cannot load PKCS#11 module \(modulePath): \(detail.isEmpty ? Self.name(loaded) : detail)")
        }
        let initialised = souverain_p11_initialize(functions)
        guard initialised == CK_RV(CKR_OK) || initialised == CK_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED) else {
            throw KeysError(.keyStoreUnavailable, "PKCS#11 module \(modulePath) did not initialise: \(Self.name(initialised))")
        }
        let slot = try findSlot(functions: functions, tokenLabel: tokenLabel)
        var handle = CK_SESSION_HANDLE(0)
        try check(souverain_p11_open_session(functions, slot, &handle), "opening a session on token \"\(tokenLabel)\"")
        let session = PKCS11Session(functions: functions, handle: handle, slot: slot)
        var pinBytes = Array(pin.utf8)
        defer { for index in pinBytes.indices { pinBytes[index] = 0 } }
        let rv = souverain_p11_login_user(functions, handle, pinBytes, CK_ULONG(pinBytes.count))
        switch rv {
        case CK_RV(CKR_OK), CK_RV(CKR_USER_ALREADY_LOGGED_IN):
            return session
        case CK_RV(CKR_PIN_INCORRECT), CK_RV(CKR_PIN_INVALID), CK_RV(CKR_PIN_LEN_RANGE):
            session.close()
            throw KeysError(
                .keyStoreUnavailable,
                "token \"\(tokenLabel)\" refused the user PIN (\(Self.name(rv))): check the configured PIN; repeated failures may lock the token")
        case CK_RV(CKR_PIN_LOCKED):
            session.close()
            throw KeysError(.keyStoreUnavailable, "the user PIN of token \"\(tokenLabel)\" is locked (CKR_PIN_LOCKED): the security officer must unlock it")
        default:
            session.close()
            throw KeysError(.keyStoreUnavailable, "login to token \"\(tokenLabel)\" failed: \(Self.name(rv))")
        }
    }

    private static func findSlot(functions: CK_FUNCTION_LIST_PTR, tokenLabel: String) throws -> CK_SLOT_ID {
        var count = CK_ULONG(0)
        try check(souverain_p11_get_slot_list(functions, CK_BBOOL(1), nil, &count), "listing slots")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(souverain_p11_get_slot_list(functions, CK_BBOOL(1), &slots, &count), "listing slots")
        var matches: [CK_SLOT_ID] = []
        var seen: [String] = []
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard souverain_p11_get_token_info(functions, slot, &info) == CK_RV(CKR_OK) else { continue }
            let label = withUnsafeBytes(of: info.label) { raw in
                String(decoding: raw, as: UTF8.self)
            }.trimmingTrailingSpaces()
            seen.append(label)
            if label == tokenLabel, info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0 { matches.append(slot) }
        }
        guard matches.count == 1 else {
            if matches.isEmpty {
                throw KeysError(
                    .keyStoreUnavailable,
                    "no initialised token labelled \"\(tokenLabel)\" (tokens present: \(seen.map { "\"\($0)\"" }.joined(separator: ", ")))")
            }
            throw KeysError(.keyStoreUnavailable, "\(matches.count) tokens are labelled \"\(tokenLabel)\"; labels must be unique")
        }
        return matches[0]
    }

    /// Closes the session. The login ends with the application's last session on the token.
    func close() {
        _ = souverain_p11_close_session(functions, handle)
    }

    func findObjects(_ template: Template) throws -> [CK_OBJECT_HANDLE] {
        var capacity = 256
        while true {
            var objects = [CK_OBJECT_HANDLE](repeating: 0, count: capacity)
            var found = CK_ULONG(0)
            try template.withAttributes { attributes, count in
                try Self.check(souverain_p11_find_objects(functions, handle, attributes, count, &objects, CK_ULONG(capacity), &found), "searching the token")
            }
            if Int(found) < capacity { return Array(objects.prefix(Int(found))) }
            capacity *= 4
        }
    }

    /// An attribute's bytes, or nil if the token will not reveal it (sensitive, absent).
    func attribute(_ type: CK_ATTRIBUTE_TYPE, of object: CK_OBJECT_HANDLE) throws -> [UInt8]? {
        var attribute = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
        let sizeRV = souverain_p11_get_attribute_value(functions, handle, object, &attribute, 1)
        if sizeRV == CK_RV(CKR_ATTRIBUTE_SENSITIVE) || sizeRV == CK_RV(CKR_ATTRIBUTE_TYPE_INVALID) { return nil }
        try Self.check(sizeRV, "reading an attribute")
        guard attribute.ulValueLen != CK_ULONG.max else { return nil }  // CK_UNAVAILABLE_INFORMATION
        var value = [UInt8](repeating: 0, count: Int(attribute.ulValueLen))
        let rv = value.withUnsafeMutableBytes { raw in
            attribute.pValue = raw.baseAddress
            return souverain_p11_get_attribute_value(functions, handle, object, &attribute, 1)
        }
        try Self.check(rv, "reading an attribute")
        return Array(value.prefix(Int(attribute.ulValueLen)))
    }

    /// Reads a 32-byte CKA_VALUE in one call (no length query), for unwrapped data keys.
    func value32(of object: CK_OBJECT_HANDLE) -> (CK_RV, [UInt8]) {
        var value = [UInt8](repeating: 0, count: 32)
        var length = CK_ULONG(0)
        let rv = value.withUnsafeMutableBytes { raw in
            var attribute = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_VALUE), pValue: raw.baseAddress, ulValueLen: CK_ULONG(raw.count))
            let rv = souverain_p11_get_attribute_value(functions, handle, object, &attribute, 1)
            length = attribute.ulValueLen
            return rv
        }
        return (length == 32 ? rv : CK_RV(CKR_BUFFER_TOO_SMALL), value)
    }

    /// The raw return code of reading CKA_VALUE, for tests that prove a key is not extractable.
    func valueReadResult(of object: CK_OBJECT_HANDLE) -> CK_RV {
        var buffer = [UInt8](repeating: 0, count: 64)
        return buffer.withUnsafeMutableBytes { raw in
            var attribute = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_VALUE), pValue: raw.baseAddress, ulValueLen: CK_ULONG(raw.count))
            return souverain_p11_get_attribute_value(functions, handle, object, &attribute, 1)
        }
    }

    /// Whether the token still answers a simple question about an object (its CKA_CLASS).
    func isResponsive(_ object: CK_OBJECT_HANDLE) -> Bool {
        var objectClass = CK_OBJECT_CLASS(0)
        return withUnsafeMutableBytes(of: &objectClass) { raw in
            var attribute = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_CLASS), pValue: raw.baseAddress, ulValueLen: CK_ULONG(raw.count))
            return souverain_p11_get_attribute_value(functions, handle, object, &attribute, 1)
        } == CK_RV(CKR_OK)
    }

    func setAttributes(_ template: Template, on object: CK_OBJECT_HANDLE, _ what: String) throws {
        try template.withAttributes { attributes, count in
            try Self.check(souverain_p11_set_attribute_value(functions, handle, object, attributes, count), what)
        }
    }

    func generateAESKey(_ template: Template) throws -> CK_OBJECT_HANDLE {
        var key = CK_OBJECT_HANDLE(0)
        try template.withAttributes { attributes, count in
            try Self.check(souverain_p11_generate_key(functions, handle, CK_MECHANISM_TYPE(CKM_AES_KEY_GEN), attributes, count, &key), "generating a master key on the token")
        }
        return key
    }

    func createObject(_ template: Template) throws -> CK_OBJECT_HANDLE {
        var object = CK_OBJECT_HANDLE(0)
        try template.withAttributes { attributes, count in
            try Self.check(souverain_p11_create_object(functions, handle, attributes, count, &object), "importing a key as a session object")
        }
        return object
    }

    func destroy(_ object: CK_OBJECT_HANDLE) {
        _ = souverain_p11_destroy_object(functions, handle, object)
    }

    /// C_WrapKey with CKM_AES_KEY_WRAP; returns the return code with the bytes.
    func wrap(_ key: CK_OBJECT_HANDLE, with wrappingKey: CK_OBJECT_HANDLE) -> (CK_RV, [UInt8]) {
        var wrapped = [UInt8](repeating: 0, count: 64)
        var length = CK_ULONG(wrapped.count)
        let rv = souverain_p11_wrap_key(functions, handle, CK_MECHANISM_TYPE(CKM_AES_KEY_WRAP), wrappingKey, key, &wrapped, &length)
        return (rv, Array(wrapped.prefix(Int(length))))
    }

    /// C_UnwrapKey with CKM_AES_KEY_WRAP into a session object described by `template`.
    func unwrap(_ wrapped: [UInt8], with unwrappingKey: CK_OBJECT_HANDLE, template: Template) -> (CK_RV, CK_OBJECT_HANDLE) {
        var key = CK_OBJECT_HANDLE(0)
        let rv = template.withAttributes { attributes, count in
            souverain_p11_unwrap_key(
                functions, handle, CK_MECHANISM_TYPE(CKM_AES_KEY_WRAP), unwrappingKey, wrapped, CK_ULONG(wrapped.count), attributes, count, &key)
        }
        return (rv, key)
    }

    static func check(_ rv: CK_RV, _ what: String) throws {
        guard rv == CK_RV(CKR_OK) else {
            throw KeysError(.keyStoreUnavailable, "\(what) failed: \(name(rv))")
        }
    }

    /// The `CKR_…` name of a return code, or its hexadecimal value.
    static func name(_ rv: CK_RV) -> String {
        let names: [CK_RV: String] = [
            0x00: "CKR_OK", 0x01: "CKR_CANCEL", 0x02: "CKR_HOST_MEMORY", 0x03: "CKR_SLOT_ID_INVALID",
            0x05: "CKR_GENERAL_ERROR", 0x06: "CKR_FUNCTION_FAILED", 0x07: "CKR_ARGUMENTS_BAD",
            0x0a: "CKR_CANT_LOCK", 0x10: "CKR_ATTRIBUTE_READ_ONLY", 0x11: "CKR_ATTRIBUTE_SENSITIVE",
            0x12: "CKR_ATTRIBUTE_TYPE_INVALID", 0x13: "CKR_ATTRIBUTE_VALUE_INVALID", 0x1b: "CKR_ACTION_PROHIBITED",
            0x20: "CKR_DATA_INVALID", 0x21: "CKR_DATA_LEN_RANGE", 0x30: "CKR_DEVICE_ERROR",
            0x31: "CKR_DEVICE_MEMORY", 0x32: "CKR_DEVICE_REMOVED", 0x40: "CKR_ENCRYPTED_DATA_INVALID",
            0x41: "CKR_ENCRYPTED_DATA_LEN_RANGE", 0x54: "CKR_FUNCTION_NOT_SUPPORTED", 0x60: "CKR_KEY_HANDLE_INVALID",
            0x62: "CKR_KEY_SIZE_RANGE", 0x63: "CKR_KEY_TYPE_INCONSISTENT", 0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED",
            0x69: "CKR_KEY_NOT_WRAPPABLE", 0x6a: "CKR_KEY_UNEXTRACTABLE", 0x70: "CKR_MECHANISM_INVALID",
            0x71: "CKR_MECHANISM_PARAM_INVALID", 0x82: "CKR_OBJECT_HANDLE_INVALID", 0x90: "CKR_OPERATION_ACTIVE",
            0x91: "CKR_OPERATION_NOT_INITIALIZED", 0xa0: "CKR_PIN_INCORRECT", 0xa1: "CKR_PIN_INVALID",
            0xa2: "CKR_PIN_LEN_RANGE", 0xa3: "CKR_PIN_EXPIRED", 0xa4: "CKR_PIN_LOCKED", 0xb0: "CKR_SESSION_CLOSED",
            0xb1: "CKR_SESSION_COUNT", 0xb3: "CKR_SESSION_HANDLE_INVALID", 0xb5: "CKR_SESSION_READ_ONLY",
            0xd0: "CKR_TEMPLATE_INCOMPLETE", 0xd1: "CKR_TEMPLATE_INCONSISTENT", 0xe0: "CKR_TOKEN_NOT_PRESENT",
            0xe1: "CKR_TOKEN_NOT_RECOGNIZED", 0xe2: "CKR_TOKEN_WRITE_PROTECTED", 0xf0: "CKR_UNWRAPPING_KEY_HANDLE_INVALID",
            0xf1: "CKR_UNWRAPPING_KEY_SIZE_RANGE", 0xf2: "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT",
            0x100: "CKR_USER_ALREADY_LOGGED_IN", 0x101: "CKR_USER_NOT_LOGGED_IN", 0x102: "CKR_USER_PIN_NOT_INITIALIZED",
            0x104: "CKR_USER_ANOTHER_ALREADY_LOGGED_IN", 0x110: "CKR_WRAPPED_KEY_INVALID", 0x112: "CKR_WRAPPED_KEY_LEN_RANGE",
            0x113: "CKR_WRAPPING_KEY_HANDLE_INVALID", 0x114: "CKR_WRAPPING_KEY_SIZE_RANGE",
            0x115: "CKR_WRAPPING_KEY_TYPE_INCONSISTENT", 0x150: "CKR_BUFFER_TOO_SMALL",
            0x190: "CKR_CRYPTOKI_NOT_INITIALIZED", 0x191: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
            0x1c2: "CKR_LIBRARY_LOAD_FAILED", 0x200: "CKR_FUNCTION_REJECTED",
        ]
        return names[rv] ?? "CKR_0x\(String(rv, radix: 16))"
    }
}

/// A PKCS#11 attribute template whose values live in one buffer for the duration of a call, and
/// are zeroed afterwards (a template may carry a data key's CKA_VALUE).
struct Template {
    private var entries: [(type: CK_ATTRIBUTE_TYPE, value: [UInt8])] = []

    init() {}

    func with(_ type: UInt, _ value: Bool) -> Template {
        adding(CK_ATTRIBUTE_TYPE(type), [value ? 1 : 0])
    }

    func with(_ type: UInt, ulong value: UInt) -> Template {
        adding(CK_ATTRIBUTE_TYPE(type), withUnsafeBytes(of: CK_ULONG(value)) { Array($0) })
    }

    func with(_ type: UInt, bytes value: [UInt8]) -> Template {
        adding(CK_ATTRIBUTE_TYPE(type), value)
    }

    private func adding(_ type: CK_ATTRIBUTE_TYPE, _ value: [UInt8]) -> Template {
        var copy = self
        copy.entries.append((type, value))
        return copy
    }

    /// Zeroes the values this template carries (call on templates holding key bytes).
    mutating func wipe() {
        for index in entries.indices {
            zeroize(&entries[index].value)
        }
    }

    func withAttributes<R>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws -> R) rethrows -> R {
        let total = entries.reduce(0) { $0 + $1.value.count }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 8)
        defer {
            storage.initializeMemory(as: UInt8.self, repeating: 0)
            storage.deallocate()
        }
        var attributes: [CK_ATTRIBUTE] = []
        var offset = 0
        for entry in entries {
            let destination = storage.baseAddress! + offset
            entry.value.withUnsafeBytes { source in
                if let base = source.baseAddress { destination.copyMemory(from: base, byteCount: source.count) }
            }
            attributes.append(CK_ATTRIBUTE(type: entry.type, pValue: destination, ulValueLen: CK_ULONG(entry.value.count)))
            offset += entry.value.count
        }
        return try attributes.withUnsafeMutableBufferPointer { buffer in
            try body(buffer.baseAddress, CK_ULONG(buffer.count))
        }
    }
}

/// Overwrites bytes that held key material before they are released.
func zeroize(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { raw in
        for index in raw.indices { raw[index] = 0 }
    }
}

// Only `PKCS11KeyStore` holds a session, and uses it under its actor isolation, or in its deinit
// when no other reference to the store exists; so it is never used by two threads at once.
extension PKCS11Session: @unchecked Sendable {}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " || result.last == "\0" { result.removeLast() }
        return result
    }
}
