/// drmock's own decisions where Esri's documents and the observed releases are silent: the third
/// part of a release, beside what it documents (``Release/Feature``) and what it was observed to do
/// (``ObservedBehaviour``). Numbered as the docs cite them ("decision 4").
///
/// A decision holds on every release unless an observed behaviour overrides it there
/// (``overriddenBy``): the observation wins on the releases it was seen on.
public struct Decision: Sendable, Equatable {
    public let number: Int
    public let title: String
    /// What drmock does, and why.
    public let text: String
    /// Observed behaviours that replace it on their releases.
    public let overriddenBy: [ObservedBehaviour.ID]

    public init(_ number: Int, _ title: String, _ text: String, overriddenBy: [ObservedBehaviour.ID] = []) {
        self.number = number
        self.title = title
        self.text = text
        self.overriddenBy = overriddenBy
    }

    /// Whether it is in force at `release` under `policy` (not replaced there by a behaviour played).
    public func holds(at release: Release, policy: BehaviourPolicy = .init()) -> Bool {
        !overriddenBy.contains { policy.plays(ObservedBehaviour.entry($0), at: release, optedIn: []) }
    }

    /// The table.
    public static let all: [Decision] = [
        Decision(1, "Error envelope",
                 "Always {\"error\": {\"code\", \"message\", \"details\": [...]}} with details a list, present even when empty; one table of codes and texts (AdminError) so clients can match on them.",
                 overriddenBy: [.storeUpdateNeedsSupportBDSBackup]),
        Decision(2, "HTTP status of errors",
                 "Errors come with HTTP 200, as Portal and the ArcGIS REST services send them and as Esri's CLI saw them on 11.x and 12.0; the ArcGIS API for Python would resend a 4xx without its token. --http-error-status makes the HTTP status equal the code."),
        Decision(3, "Status resource while a job runs",
                 "state no_op (0), in_progress (2), success (3), failed (4), completed_with_warnings (5); started stages listed, the running one in_progress; completeTime 0 until the end."),
        Decision(4, "Jobs",
                 "A DR job has jobid, status SUBMITTED -> EXECUTING -> COMPLETED | FAILED | TIMED OUT, starttime, updatedtime, endtime, operationURI, username, messages (strings), and when completed result.stages in the status resource's stage shape.",
                 overriddenBy: [.completedBackupJobWithoutResult]),
        Decision(5, "One DR job at a time",
                 "A create or restore while a backup or restore runs is refused with 409 and changes nothing."),
        Decision(6, "Restore",
                 "The passcode is checked against the salted hash kept at creation; the answer is {\"status\": \"success\"}; the restore runs as a job with operation Restore; for a window in its middle every other endpoint answers 503, as the organization is offline (Esri's CLI retries the status resource through it)."),
        Decision(7, "Releases",
                 "One server emulates one release. What a release lacks does not work on it (a cloud store type, the other S3 shape, static staging, async, CreateHealthCheckReports). The legacy backuprestore URLs answer on every release, as the ArcGIS API for Python still calls them; --strict turns them off from 11.0 (but for the delete URL the delete-backup page still documents), 404s the routes a release lacks, and refuses parameters a route does not know."),
        Decision(8, "Booleans and empty values in forms",
                 "true/false/True/False (and 1/0, yes/no) are accepted, as Esri's CLI sends Python's True/False; None, null or empty mean not given."),
        Decision(9, "Tokens",
                 "Accepted as token (form, or query on GET), X-Esri-Authorization: Bearer or Authorization: Bearer; a POST whose token is only in the query is refused (the documents ask for the body). Lifetimes follow Portal's documents: 120 minutes by default, at most 20160 (longer requests get the maximum), no minimum; OAuth expires_in 7200 s."),
        Decision(10, "Scheduled backups",
                 "CreateBackup tasks make <prefix>-YYYY-MM-DD-HH-MM-SS backups with scheduleType SCHEDULED on the emulator's clock; CRON fields are read as Quartz reads them (day of week 1-7 from Sunday; 0 is taken as Sunday too). BackupRetentionCleaner is accepted on createTask although the createTask page lists only CreateBackup (and CreateHealthCheckReports from 11.4): the tasks resource lists it and the update-task page names it among the types."),
        Decision(11, "Admin root",
                 "GET /admin answers fullVersion dotted (\"11.3.0\") and currentVersion a number (11.3): the Python client parses the first, Esri's CLI compares the second."),
        Decision(12, "Signing in like Portal",
                 "The sharing/rest subset the ArcGIS API for Python needs: info, oauth2/authorize + signin (implicit and code flows), oauth2/token, portals/self, community/self, community/users/<u>."),
        Decision(13, "HTTPS",
                 "TLS with a given certificate and key, or a self-signed development pair; plain HTTP stays the default for curl and test suites."),
        Decision(14, "Volume sizes",
                 "Any Kubernetes quantity (64Gi, 16G, 64000M, 1.5Ti, 20e9); the documented minimum \"16 GB\" is read as 16 x 10^9 bytes, so both 16G and 16Gi are enough."),
        Decision(15, "Google Cloud Storage stores",
                 "12.0 lists Google Cloud Storage backup stores but no public source gives their settings: drmock reads {\"type\": \"GCS\", \"provider\": {\"name\": \"GCP\", \"cloudServices\": [{\"connection\": {\"bucketName\", \"rootDir\", \"credential\"}}]}}, the S3 and Azure pattern."),
        Decision(16, "Restoring a backup of another release",
                 "Refused with 400 (the documents say only backups of the running release can be restored; the code and text are drmock's). A fixture's backup without a release was made by the release it is served at."),
        Decision(17, "Upgrades",
                 "POST /_mock/upgrade (or drmock serve --release R on a catalog made at an older release) moves a deployment to a newer release in place, persisted; stores keep the versionCreated of their release; a downgrade, or an upgrade while a DR job runs, is refused (409)."),
        Decision(18, "Conformance and recording",
                 "drmock conformance compares a deployment with drmock at the deployment's release (read from /admin unless --release), started in-process on the default fixture: status, content type, field names and JSON types, listed resources, stage names, duration formats (digits folded), the error envelope's code, message and details type, token lifetimes; values (ids, times, names) never count, and a resource in another state (status.state) is not compared. drmock record keeps a password seen at sign-in only as a salted hash, gives recorded backups an unknown passcode, keeps tasks in the transcript only (a fixture has none), and answers a restore with code 403 (HTTP 200, decision 2) unless --allow-restore. Both talk HTTP(S) through GnuTLS, which libmicrohttpd already loads, verifying certificates unless --insecure."),
    ]

    /// The decision numbered `n`.
    public static func numbered(_ n: Int) -> Decision? { all.first { $0.number == n } }
}
