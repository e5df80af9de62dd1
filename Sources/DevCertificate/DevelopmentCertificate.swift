import Crypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftASN1
import X509

/// A self-signed certificate and its private key for serving HTTPS in development and tests.
///
/// The certificate names `localhost`, `127.0.0.1` and `::1` (plus any extra hosts) as subject
/// alternative names, so a client that verifies certificates can trust it by being given the
/// certificate file as its CA bundle (`GIS(..., ca_bundles="cert.pem")`, `curl --cacert cert.pem`).
/// The key is ECDSA P-256, which libmicrohttpd's GnuTLS loads from PEM.
///
///     let pair = try DevelopmentCertificate.make()
///     try pair.certificatePEM.write(toFile: "cert.pem", atomically: true, encoding: .utf8)
public struct DevelopmentCertificate: Sendable {
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    public let certificatePEM: String
    /// The PKCS #8 private key, PEM (`-----BEGIN PRIVATE KEY-----`). Keep it private.
    public let keyPEM: String

    /// Makes a new key and a certificate valid from an hour ago for `days` days.
    /// - Parameter extraHosts: more DNS names or IP literals for the subject alternative names.
    public static func make(extraHosts: [String] = [], days: Int = 365, now: Date = Date()) throws -> DevelopmentCertificate {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            OrganizationName("drmock development")
            CommonName("localhost")
        }
        var alternativeNames: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                                               .ipAddress(ASN1OctetString(contentBytes: ArraySlice(ipv6Loopback)))]
        for host in extraHosts where !["localhost", "127.0.0.1", "::1"].contains(host) {
            if let bytes = ipv4Bytes(host) {
                alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
            } else {
                guard isDNSName(host) else { throw DevelopmentCertificateError("'\(host)' is neither an IPv4 address nor a DNS name") }
                alternativeNames.append(.dnsName(host))
            }
        }
        let keyID = SubjectKeyIdentifier(hash: publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(alternativeNames)
            keyID
            AuthorityKeyIdentifier(keyIdentifier: keyID.keyIdentifier)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(Double(max(1, days)) * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key))
        return DevelopmentCertificate(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
    }

    /// Writes `cert.pem` (mode 0644) and `key.pem` (mode 0600) into `directory`, creating it.
    /// - Returns: the two paths.
    @discardableResult
    public func write(to directory: String) throws -> (certificate: String, key: String) {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certPath = Self.path(directory, "cert.pem")
        let keyPath = Self.path(directory, "key.pem")
        // The key file is created with 0600 before any key byte is written.
        let fd = open(keyPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DevelopmentCertificateError("cannot write \(keyPath)") }
        let keyBytes = Array(keyPEM.utf8)
        var written = 0
        var ok = fchmod(fd, 0o600) == 0
        while ok, written < keyBytes.count {
            let n = keyBytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + written, keyBytes.count - written) }
            if n > 0 { written += n } else if n < 0, errno == EINTR { continue } else { ok = false }
        }
        guard close(fd) == 0, ok else { throw DevelopmentCertificateError("cannot write \(keyPath)") }
        try Data(certificatePEM.utf8).write(to: URL(filePath: certPath))
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certPath)
        return (certPath, keyPath)
    }

    /// `directory/file` (just `file` when `directory` is empty), as NSString's appendingPathComponent
    /// joins them, without needing all of Foundation.
    public static func path(_ directory: String, _ file: String) -> String {
        if directory.isEmpty { return file }
        return directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    private static let ipv6Loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]

    private static func ipv4Bytes(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    private static func isDNSName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 253 && s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 42
        }
    }
}

/// The C `write`, out of reach of `DevelopmentCertificate.write(to:)`'s name.
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

public struct DevelopmentCertificateError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
