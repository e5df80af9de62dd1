import Crypto
import CryptoExtras

/// Salted, slow hashes for passwords and passcodes (scrypt from swift-crypto), and random identifiers.
///
/// The stored form is `scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>`, so the cost can change
/// without invalidating stored hashes: a hash is always checked with the parameters it carries.
/// Plain secrets are never stored or logged.
///
///     let h = try SecretHash.make("secret123")              // the default cost, N = 2^10
///     let h17 = try SecretHash.make("secret123", logN: 17)  // OWASP's minimum, 128 MiB, ~0.3 s
///     SecretHash.verify("secret123", against: h)            // true
public enum SecretHash {
    /// The default scrypt cost: N = 2^10 with r = 8, p = 1, which is 1 MiB of memory and about
    /// 2 ms of CPU per hash here. `drmock serve --hash-cost` and `drmock hash --hash-cost` change it
    /// (see docs/api.md, "Passwords, passcodes and the hash cost", for why this default).
    public static let defaultLogN = 10
    /// The costs ``make(_:logN:)`` and ``verify(_:against:)`` accept: N = 2^1 ... 2^20 (1 GiB with r = 8).
    public static let allowedLogN = 1...20

    /// A new salted scrypt hash of `secret` with N = 2^`logN`, r = 8, p = 1.
    public static func make(_ secret: String, logN: Int = defaultLogN) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = rng.next() }
        let key = try derive(secret, salt: salt, logN: logN, r: 8, p: 1)
        return "scrypt$\(logN)$8$1$\(hex(salt))$\(hex(key))"
    }

    /// The log2 N a stored hash was made with, or nil if it is not one of ours.
    public static func logN(of stored: String) -> Int? {
        let parts = stored.split(separator: "$", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "scrypt", let logN = Int(parts[1]), allowedLogN.contains(logN) else { return nil }
        return logN
    }

    /// True when `secret` hashes to `stored`. Comparison takes the same time wherever the bytes differ.
    public static func verify(_ secret: String, against stored: String) -> Bool {
        guard let h = Parsed(stored),
              let actual = try? derive(secret, salt: h.salt, logN: h.logN, r: h.r, p: h.p, length: h.hash.count)
        else { return false }
        let expected = h.hash
        var diff: UInt8 = 0
        for (a, b) in zip(actual, expected) { diff |= a ^ b }
        return diff == 0 && actual.count == expected.count
    }

    /// Whether `a` and `b` hold the same bytes, in time that depends on their lengths only, not on
    /// where they differ (a token, a control key, compared with a secret one).
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count, let p = x.baseAddress, let q = y.baseAddress else { return x.count == y.count }
                // Eight bytes at a time, then the rest one by one.
                let (p8, q8) = (UnsafeRawPointer(p), UnsafeRawPointer(q))
                var difference: UInt64 = 0
                var i = 0
                while i + 8 <= x.count {
                    difference |= p8.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ q8.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    i += 8
                }
                while i < x.count {
                    difference |= UInt64(p[i] ^ q[i])
                    i += 1
                }
                return difference == 0
            }
        }
    }

    /// True when `stored` has the shape ``make(_:logN:)`` writes, with parameters ``verify(_:against:)`` accepts.
    public static func isWellFormed(_ stored: String) -> Bool { Parsed(stored) != nil }

    /// `scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>`, taken apart.
    struct Parsed {
        let logN: Int, r: Int, p: Int, salt: [UInt8], hash: [UInt8]
        init?(_ stored: String) {
            let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 6, parts[0] == "scrypt",
                  let logN = Int(parts[1]), SecretHash.allowedLogN.contains(logN),
                  let r = Int(parts[2]), (1...32).contains(r),
                  let p = Int(parts[3]), (1...16).contains(p),
                  let salt = SecretHash.unhex(parts[4]), let hash = SecretHash.unhex(parts[5]), !hash.isEmpty
            else { return nil }
            (self.logN, self.r, self.p, self.salt, self.hash) = (logN, r, p, salt, hash)
        }
    }

    /// A well-formed hash with cost 2^`logN` that no secret matches (salt and key all zero, a 2^-256
    /// chance): checking a password against it costs what a real check at that cost costs, so an
    /// unknown user name is refused as slowly as a wrong password and sign-in timing does not tell
    /// which user names exist.
    public static func decoy(logN: Int) -> String {
        "scrypt$\(logN)$8$1$" + String(repeating: "0", count: 32) + "$" + String(repeating: "0", count: 64)
    }

    /// ``decoy(logN:)`` at the default cost.
    public static let decoy = decoy(logN: defaultLogN)

    /// SHA-256 of a token, hex: what the catalog keeps instead of the token.
    public static func digest(_ token: String) -> String {
        // Hashed from the string's own bytes, and hex-encoded from the digest's: this runs on every request.
        var token = token
        let digest = token.withUTF8 { bytes in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
        return digest.withUnsafeBytes { hex($0) }
    }

    /// `count` random bytes from the system generator, as URL-safe base64 without padding.
    public static func randomToken(bytes count: Int = 32) -> String {
        var rng = SystemRandomNumberGenerator()
        let raw = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return base64URL(raw)
    }

    /// A job id: `j` + a random (version 4) UUID with dashes.
    public static func jobID() -> String {
        var rng = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        b[6] = (b[6] & 0x0f) | 0x40
        b[8] = (b[8] & 0x3f) | 0x80
        let h = hex(b)
        let c = Array(h)
        return "j" + String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    /// `count` random characters from lowercase letters and digits.
    public static func randomAlphanumeric(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &rng)! })
    }

    // MARK: - helpers

    private static func derive(_ secret: String, salt: [UInt8], logN: Int, r: Int, p: Int, length: Int = 32) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(secret.utf8), salt: salt, outputByteCount: length,
                                           rounds: 1 << logN, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex($0) }
    }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            hexDigits.withUnsafeBufferPointer { digits in
                for (i, b) in bytes.enumerated() {
                    out[2 * i] = digits[Int(b >> 4)]
                    out[2 * i + 1] = digits[Int(b & 15)]
                }
            }
            return bytes.count * 2
        }
    }

    static func unhex<S: StringProtocol>(_ s: S) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out = [UInt8]()
        var i = 0
        while i < u.count {
            guard let hi = v(u[i]), let lo = v(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out = [UInt8]()
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A token's SHA-256 as a deployment keys its tokens in memory: the 32 bytes in four words, hashed and
/// compared as such on every request instead of as the 64-character hex text the catalog keeps.
public struct TokenDigest: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// The digest of `token`.
    public init(of token: String) {
        var token = token
        let digest = token.withUTF8 { bytes in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
        words = digest.withUnsafeBytes { Self.words(of: $0) }
    }

    /// The digest whose lowercase hex (``SecretHash/digest(_:)``, as the catalog keeps it) is `hex`;
    /// nil for any other text, which no token's digest is.
    public init?(hex: String) {
        guard hex.utf8.count == 64 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        for (i, c) in hex.utf8.enumerated() {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            default: return nil
            }
            bytes[i / 2] |= i % 2 == 0 ? v << 4 : v
        }
        words = bytes.withUnsafeBytes { Self.words(of: $0) }
    }

    /// The lowercase hex the catalog keeps: ``SecretHash/digest(_:)`` of the same token.
    public var hex: String {
        withUnsafeBytes(of: words) { SecretHash.hex($0) }
    }

    private static func words(of bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64) {
        (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
         bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    public static func == (a: TokenDigest, b: TokenDigest) -> Bool {
        a.words == b.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
