import ArgumentParser
import DevCertificate
import FoundationEssentials
import HTTPServer

/// `drmock serve`'s HTTPS options (decision 13).
struct TLSOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate (needs --tls-key).", valueName: "path"))
    var certificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "path"))
    var key: String?
    @Option(name: .customLong("tls-dev-cert"),
            help: ArgumentHelp("Serve HTTPS with DIR/cert.pem and DIR/key.pem, making a self-signed pair there first if missing (see `drmock dev-cert`).",
                               valueName: "dir"))
    var devCertificateDirectory: String?

    func validate() throws {
        try Self.check(certificate: certificate, key: key, devCertificateDirectory: devCertificateDirectory)
    }

    /// The rules `validate()` enforces, also for ``ServeSettings/init(fastParsing:)``.
    static func check(certificate: String?, key: String?, devCertificateDirectory: String?) throws {
        if (certificate == nil) != (key == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if certificate != nil, devCertificateDirectory != nil { throw ValidationError("give either --tls-cert/--tls-key or --tls-dev-cert") }
    }

    /// The certificate and key to serve with, or nil for plain HTTP.
    static func load(certificate: String?, key: String?, devCertificateDirectory: String?) throws -> Server.Configuration.TLS? {
        if let dir = devCertificateDirectory {
            let cert = DevelopmentCertificate.path(dir, "cert.pem"), key = DevelopmentCertificate.path(dir, "key.pem")
            let fm = FileManager.default
            if !fm.fileExists(atPath: cert) || !fm.fileExists(atPath: key) {
                try DevelopmentCertificate.make().write(to: dir)
            }
            return try read(cert, key)
        }
        guard let certificate, let key else { return nil }
        return try read(certificate, key)
    }

    private static func read(_ certificate: String, _ key: String) throws -> Server.Configuration.TLS {
        func text(_ path: String, _ what: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read the \(what) file '\(path)'") }
            return String(decoding: data, as: UTF8.self)
        }
        return .init(certificatePEM: try text(certificate, "certificate"), keyPEM: try text(key, "key"))
    }
}

/// `drmock dev-cert`: writes a self-signed development certificate and key.
struct DevCert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cert",
        abstract: "Write a self-signed development certificate (SAN localhost, 127.0.0.1, ::1) and its key as DIR/cert.pem and DIR/key.pem.",
        discussion: """
            Serve with `drmock serve --tls-cert DIR/cert.pem --tls-key DIR/key.pem`, and let clients trust
            DIR/cert.pem (e.g. `curl --cacert DIR/cert.pem`, `GIS(..., ca_bundles="DIR/cert.pem")`).
            The key is ECDSA P-256, written with mode 0600.
            """)

    @Option(help: ArgumentHelp("The folder to write into (created if missing).", valueName: "dir")) var out: String
    @Option(name: .customLong("host"), help: ArgumentHelp("Another DNS name or IPv4 address to name in the certificate (repeatable).", valueName: "name"))
    var hosts: [String] = []
    @Option(help: "Days the certificate is valid.") var days = 365
    @Flag(help: "Overwrite an existing cert.pem / key.pem.") var force = false

    func run() throws {
        let fm = FileManager.default
        for file in ["cert.pem", "key.pem"] where fm.fileExists(atPath: DevelopmentCertificate.path(out, file)) && !force {
            throw ValidationError("\(out)/\(file) exists; pass --force to replace it")
        }
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
        let paths = try DevelopmentCertificate.make(extraHosts: hosts, days: days).write(to: out)
        print("wrote \(paths.certificate) and \(paths.key)")
    }
}
