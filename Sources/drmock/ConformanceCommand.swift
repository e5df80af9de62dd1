import AdminAPI
import ArgumentParser
import Conformance
import DisasterRecovery
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// `drmock conformance URL`: a deployment's answers against drmock's for its release.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Check a deployment's Enterprise Administrator API against drmock's answers for its release.",
        discussion: """
            Runs the same requests against URL (https://host/<context>) and against a drmock of the \
            deployment's release started in-process, and reports where the answers differ: HTTP status, \
            error envelope (code, message, details type), field names and JSON types, stage names and \
            duration formats, token lifetimes and refusals, f=pjson and f=html answers. Values that \
            legitimately differ (ids, times, names) do not count.

            Read-only by default: GET requests, generateToken and a store's validate. --write adds \
            creating a scratch backup (drmock-conformance-<hex>) in the store --store names, polling its \
            job to the end, reading it and deleting it. It never restores (a restore replaces the \
            organization) and never changes settings or stores.

            Tokens, passwords and passcodes are masked and hosts replaced in the table and the --json \
            report. Exit status: 0 nothing differs, 1 something does, 2 the check could not run \
            (unreachable, sign-in refused, unknown release).
            """)

    @Argument(help: "The deployment, e.g. https://host/arcgis.") var url: String
    @Option(help: "The administrator to sign in as.") var user: String
    @Option(help: ArgumentHelp("A file whose first line is the password (never on the command line).", valueName: "path"))
    var passwordFile: String
    @Option(help: "The release to compare with (default: the deployment's, read from /admin).") var release: String?
    @Flag(help: "Also create, poll and delete a scratch backup in --store (never a restore, never settings or stores).") var write = false
    @Option(help: "The store the scratch backup goes in (with --write); also the store the read-only checks read.") var store: String?
    @Option(help: ArgumentHelp("Write the report as JSON (each difference with its request and both answers, masked).", valueName: "path"))
    var json: String?
    @OptionGroup(title: "HTTPS") var trust: TrustOptions
    @Option(help: "Seconds to wait for each answer.") var timeout = 30
    @Option(help: "Seconds the scratch backup may take (with --write).") var writeTimeout = 1800

    func validate() throws {
        if write && store == nil { throw ValidationError("--write needs --store (the store the scratch backup goes in)") }
        try checkRange(timeout, 1...3600, option: "timeout")
        try checkRange(writeTimeout, 10...86_400, option: "write-timeout")
    }

    func run() throws {
        guard let bytes = FixtureLocator.readFile(passwordFile) else {
            FileOutput.standardError("drmock conformance: cannot read the password file '\(passwordFile)'")
            throw ExitCode(2)
        }
        let password = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        var options = ConformanceOptions(url: url, username: user, password: password, release: release)
        options.write = write
        options.store = store
        (options.caBundle, options.insecure) = (trust.caBundle, trust.insecure)
        options.timeoutSeconds = timeout
        options.writeTimeoutSeconds = writeTimeout
        let report: ConformanceReport
        do {
            report = try ConformanceRun(options).run()
        } catch {
            FileOutput.standardError("drmock conformance: \(error)")
            throw ExitCode(2)
        }
        print(report.table, terminator: "")
        if let json, !writeAtomically(json, report.json.serializedString(pretty: true) + "\n") {
            FileOutput.standardError("drmock conformance: cannot write \(json)")
            throw ExitCode(2)
        }
        throw ExitCode(report.exitStatus)
    }
}

/// `drmock record --upstream URL --out FILE`: a recording proxy.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Forward every request to a deployment and record what it answers into a fixture and a transcript.",
        discussion: """
            Point a client at the printed URL: each request goes to --upstream and its answer comes back \
            (the upstream's URLs in it pointed at the proxy). What the answers show (release, stores, \
            backups, DR settings, tasks, who signed in) is written to --out as a fixture after every \
            exchange, and every exchange to the transcript beside it (FILE.transcript.json). Tokens, \
            passwords and passcodes are masked and the upstream host replaced; a password seen at sign-in \
            is kept only as a salted hash, so `drmock serve --fixture FILE` accepts the same sign-in. \
            A restore is answered with an error envelope and not forwarded, unless --allow-restore.
            """)

    @Option(help: "The deployment to forward to, e.g. https://host/arcgis.") var upstream: String
    @Option(help: ArgumentHelp("The fixture file to write.", valueName: "path")) var out: String
    @Option(help: ArgumentHelp("The transcript file (default: FILE.transcript.json beside --out).", valueName: "path")) var transcript: String?
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 = any free port).") var port: UInt16 = 7443
    @Option(help: "Once the proxy answers, write one JSON line (url, port, pid, upstream, fixture, transcript) to this file.") var readyFile: String?
    @Flag(help: "Forward restores too (a restore replaces the upstream's organization).") var allowRestore = false
    @OptionGroup(title: "HTTPS") var trust: TrustOptions

    func run() throws {
        var options = RecordingProxy.Options(upstream: upstream, fixturePath: out)
        options.transcriptPath = transcript
        options.host = host
        options.port = port
        options.allowRestore = allowRestore
        (options.caBundle, options.insecure) = (trust.caBundle, trust.insecure)
        let proxy: RecordingProxy
        do {
            proxy = try RecordingProxy(options: options)
            try proxy.start()
        } catch {
            throw ValidationError("\(error)")
        }
        let line: JSONValue = [
            "url": .string(proxy.baseURL), "port": .int(Int64(proxy.port)), "pid": .int(Int64(getpid())),
            "upstream": "<upstream>", "fixture": .string(out), "transcript": .string(proxy.transcriptPath),
        ]
        if let readyFile, !writeAtomically(readyFile, line.serializedString() + "\n") {
            proxy.stop()
            throw ValidationError("cannot write the ready file \(readyFile)")
        }
        print("drmock record: forwarding \(proxy.baseURL) to the upstream; writing \(out) and \(proxy.transcriptPath)")
        print(line.serializedString())
        fflush(nil)
        let signal = waitForTerminationSignal()
        proxy.stop()
        print("drmock record stopped (signal \(signal)); the fixture is \(out)")
        // Say now, not at the first `drmock serve --fixture`, if what was recorded does not load.
        do {
            let fixture = try Fixture.decode(FixtureLocator.readFile(out) ?? [], source: out)
            try fixture.validate(source: out)
            print("\(out) loads: drmock serve --fixture \(out)")
        } catch {
            print("warning: \(error); `drmock fixtures validate \(out)` lists every problem")
        }
    }
}

/// How `conformance` and `record` trust the deployment's HTTPS certificate.
struct TrustOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM file of the CAs to trust for HTTPS (default: the system's).", valueName: "path")) var caBundle: String?
    @Flag(help: "Do not verify the deployment's TLS certificate (only when you must).") var insecure = false

    func validate() throws {
        if insecure && caBundle != nil { throw ValidationError("give either --ca-bundle or --insecure") }
    }
}

enum FileOutput {
    static func standardError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
