import DisasterRecovery
import HTTPServer

/// The client-behaviour linter's report (``ClientLinter``) over a context's journal: `GET /_mock/lint`
/// (JSON, or a page with f=html), ``DRMockServer/lint(context:)`` and `drmock serve --lint-report FILE`.
extension ControlPlane {
    /// The linter's report on `context`'s journal.
    func lintReport(context: String) throws -> LintReport {
        let d: Deployment
        switch registry.opening(context: context) {
        case .success(let opened): d = opened
        case .failure(let refusal): throw AdminError(503, "The context '\(context)' cannot be opened.", details: ["\(refusal)"])
        }
        let requests = withControl(context) { $0.journal.entries }.map(\.clientRequest)
        return d.lint(requests)
    }

    /// The reports of every context that has a journal, by name.
    func lintReports() -> [LintReport] {
        let names = controls.withLock { Array($0.keys) }.sorted()
        return names.compactMap { try? lintReport(context: $0) }
    }

    static let lintRoute = ControlRoute("GET", "lint", .authorized,
        "The client-behaviour linter's findings over the context's journal: each client (token user and User-Agent), what it did that would hurt against a real deployment, with the rule, severity, reason and evidence. f=html for a page.",
        [ControlRoute.Parameter(name: "severity", required: false, summary: "only findings of at least this severity: info, warning or error")]) { call in
        var report = try call.plane.lintReport(context: call.context)
        if let s = call.param("severity") {
            guard let floor = LintSeverity(rawValue: s.lowercased()) else {
                throw AdminError(400, "Invalid value for parameter 'severity'.", details: ["Use info, warning or error."])
            }
            report.findings = report.findings(atLeast: floor)
        }
        if call.param("f")?.lowercased() == "html" {
            return .now(Response(status: 200, headers: Format.htmlHeaders, body: Array(report.html.utf8)))
        }
        return call.ok(report.json)
    }
}

extension LintReport {
    /// The report as `GET /_mock/lint` answers it (the shape the Python package's pytest plugin reads).
    var json: JSONValue {
        ["context": .string(context), "release": .string(release),
         "rules": .array(rules.map { r in
             ["id": .string(r.id), "severity": .string(r.severity.rawValue), "summary": .string(r.summary), "threshold": .string(r.threshold)]
         }),
         "findings": .array(findings.map { f in
             ["rule": .string(f.rule.id), "severity": .string(f.rule.severity.rawValue),
              "client": ["user": f.client.user.map(JSONValue.string) ?? .null, "userAgent": f.client.userAgent.map(JSONValue.string) ?? .null],
              "message": .string(f.message), "why": .string(f.rule.why),
              "evidence": .array(f.evidence.map { e in
                  ["seq": .int(Int64(e.seq)), "method": .string(e.method), "path": .string(e.path), "status": .int(Int64(e.status))]
              })]
         })]
    }

    /// The report as a page of the directory's look.
    var html: String {
        let e = HTML.escape
        var main = "<h1>Client-behaviour lint: \(e(context)) (\(e(release)))</h1>\n"
        if findings.isEmpty {
            main += "<p id=\"lint-clean\">No findings: no client did anything the rules flag.</p>\n"
        } else {
            main += "<table class=\"lint\"><thead><tr><th>severity</th><th>rule</th><th>client</th><th>what it did</th><th>why it hurts</th><th>evidence (seq)</th></tr></thead><tbody>\n"
            for f in findings {
                let client = "\(f.client.user ?? "(no token)") · \(f.client.userAgent ?? "(no User-Agent)")"
                let evidence = f.evidence.prefix(20).map { "\($0.seq) \($0.method) \($0.path) → \($0.status)" }.joined(separator: "<br>")
                main += "<tr class=\"\(f.rule.severity.rawValue)\"><td>\(f.rule.severity.rawValue)</td><td>\(e(f.rule.id))</td><td>\(e(client))</td>"
                    + "<td>\(e(f.message))</td><td>\(e(f.rule.why))</td><td>\(evidence)\(f.evidence.count > 20 ? "<br>…" : "")</td></tr>\n"
            }
            main += "</tbody></table>\n"
        }
        main += "<h2>Rules</h2>\n<table class=\"lint-rules\"><thead><tr><th>id</th><th>severity</th><th>flags</th><th>threshold</th></tr></thead><tbody>\n"
        for r in rules {
            main += "<tr><td>\(e(r.id))</td><td>\(r.severity.rawValue)</td><td>\(e(r.summary))</td><td>\(e(r.threshold))</td></tr>\n"
        }
        main += "</tbody></table>\n"
        return HTMLLayout(context: context, release: release).page(title: "Client-behaviour lint", crumbs: nil, main: main)
    }

    /// The report as lines of text, for a terminal or a CI log.
    public var text: String {
        var out = "drmock lint: context \(context), release \(release): \(findings.count) finding\(findings.count == 1 ? "" : "s")\n"
        for f in findings {
            out += "\(f.rule.severity.rawValue.uppercased()) \(f.rule.id) [\(f.client.user ?? "-") / \(f.client.userAgent ?? "-")]: \(f.message)\n"
            out += "    why: \(f.rule.why)\n"
            let shown = f.evidence.prefix(5).map { "#\($0.seq) \($0.method) \($0.path) \($0.status)" }
            out += "    evidence: \(shown.joined(separator: "; "))\(f.evidence.count > 5 ? "; … (\(f.evidence.count) in all)" : "")\n"
        }
        return out
    }
}
