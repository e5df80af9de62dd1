/// The one error type of drmock: an ArcGIS error envelope's code, message and details.
///
/// Handlers and the domain throw these; the AdminAPI layer renders them as
/// `{"error": {"code": ..., "message": ..., "details": [...]}}` (`details` is `null` only where a real
/// release was observed to send null: ``ObservedBehaviour``). Every code and text the emulator
/// uses is built by one of the static functions below (the table the docs list), so clients can
/// match on stable messages.
public struct AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    public let message: String
    /// The envelope's `details`: a list (decision 1), or nil for the `null` a real release sends in
    /// some errors (see ``ObservedBehaviour``).
    public let details: [String]?

    public init(code: Int, message: String, details: [String]? = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "AdminError(\(code)): \(message) \(details ?? [])" }

    /// The details as a list (none for a `null`).
    public var detailList: [String] { details ?? [] }
}

extension AdminError {
    // MARK: 499 / 498 / 403: tokens and privileges
    public static func tokenRequired(_ detail: String? = nil) -> AdminError {
        AdminError(code: 499, message: "Token Required", details: detail.map { [$0] } ?? [])
    }
    public static func invalidToken() -> AdminError {
        AdminError(code: 498, message: "Invalid token.", details: ["Invalid token."])
    }
    public static func forbidden() -> AdminError {
        AdminError(code: 403, message: "You do not have permissions to access this resource or perform this operation.")
    }

    // MARK: 400: sign-in and parameters
    public static func unableToGenerateToken(_ detail: String) -> AdminError {
        AdminError(code: 400, message: "Unable to generate token.", details: [detail])
    }
    public static func missingParameter(_ name: String) -> AdminError {
        AdminError(code: 400, message: "Missing required parameter '\(name)'.", details: ["'\(name)' must be specified."])
    }
    public static func invalidParameter(_ name: String, _ why: String) -> AdminError {
        AdminError(code: 400, message: "Invalid value for parameter '\(name)'.", details: [why])
    }
    public static func passcodeTooShort() -> AdminError {
        AdminError(code: 400, message: "The passcode must be at least 8 characters in length.",
                   details: ["Invalid value for parameter 'passcode'."])
    }
    public static func duplicateBackup(_ name: String, store: String) -> AdminError {
        AdminError(code: 409, message: "A backup with the name '\(name)' already exists in the backup store '\(store)'.")
    }
    public static func invalidFormat(_ f: String) -> AdminError {
        AdminError(code: 400, message: "Invalid value for parameter 'f'.", details: ["'\(f)' is not one of html, json, pjson."])
    }

    // MARK: 400: Portal sign-in (OAuth 2) and users
    public static func invalidClientID(_ id: String) -> AdminError {
        AdminError(code: 400, message: "Invalid client_id", details: ["'\(id.prefix(64))' is not a valid client_id."])
    }
    public static func invalidRedirectURI(_ why: String) -> AdminError {
        AdminError(code: 400, message: "Invalid redirect_uri", details: [why])
    }
    public static func unsupportedResponseType() -> AdminError {
        AdminError(code: 400, message: "Invalid response_type", details: ["response_type must be 'token' or 'code'."])
    }
    public static func invalidOAuthState() -> AdminError {
        AdminError(code: 400, message: "Invalid oauth_state.",
                   details: ["The sign-in is unknown, already used or expired; start again at oauth2/authorize."])
    }
    public static func unsupportedGrantType() -> AdminError {
        AdminError(code: 400, message: "Invalid grant_type", details: ["grant_type must be 'authorization_code'."])
    }
    public static func invalidGrant(_ why: String) -> AdminError {
        AdminError(code: 400, message: "Invalid authorization code.", details: [why])
    }
    public static func unknownUser(_ name: String) -> AdminError {
        AdminError(code: 400, message: "User not found.", details: ["The user '\(name.prefix(128))' does not exist or is not accessible."])
    }

    // MARK: 404 / 405 / 409
    public static func unknownStore(_ name: String) -> AdminError {
        AdminError(code: 404, message: "The backup store '\(name)' does not exist.")
    }
    public static func unknownBackup(_ name: String, store: String) -> AdminError {
        AdminError(code: 404, message: "The backup '\(name)' does not exist in the backup store '\(store)'.")
    }
    public static func unknownJob(_ id: String) -> AdminError {
        AdminError(code: 404, message: "The job '\(id)' does not exist.")
    }
    public static func notFound(_ path: String) -> AdminError {
        AdminError(code: 404, message: "Resource not found.", details: ["'\(path)' is not a resource of this API."])
    }
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> AdminError {
        AdminError(code: 405, message: "Method not supported.",
                   details: ["\(method) is not supported here; use \(allowed.joined(separator: " or "))."])
    }
    public static func jobAlreadyRunning(_ jobID: String) -> AdminError {
        AdminError(code: 409, message: "Another disaster recovery job is already running.",
                   details: ["Job '\(jobID)' must finish before a new backup or restore can start."])
    }

    // MARK: 503: faults injected through the control plane
    public static func storeUnavailable(_ name: String) -> AdminError {
        AdminError(code: 503, message: "The backup store '\(name)' is not available.",
                   details: ["The backup store cannot be reached; try again later."])
    }
    public static func organizationUnavailable() -> AdminError {
        AdminError(code: 503, message: "The organization is temporarily unavailable.",
                   details: ["The organization is offline; try again later."])
    }

    // MARK: Observed on real releases (ObservedBehaviour): their texts as seen, `details` null
    /// 12.0: `stores/<s>/update` whose `settings` lack a key the server's JSON reader needs
    /// (https://github.com/Esri/arcgis-gitops/issues/268).
    public static func jsonObjectKeyNotFound(_ key: String) -> AdminError {
        AdminError(code: 500, message: "JSONObject[\"\(key)\"] not found.", details: nil)
    }

    // MARK: drmock's own limits
    /// A request to a new context while `drmock serve --max-contexts` contexts are open.
    public static func tooManyContexts(_ limit: Int) -> AdminError {
        AdminError(code: 503, message: "drmock serves at most \(limit) contexts at once.",
                   details: ["Delete the contexts you no longer need (DELETE /_mock/contexts/<name>), or start drmock with a higher --max-contexts."])
    }

    // MARK: 413 / 500
    public static func bodyTooLarge() -> AdminError {
        AdminError(code: 413, message: "The request body is too large.")
    }
    public static func internalError(_ detail: String) -> AdminError {
        AdminError(code: 500, message: "The server could not complete the request.", details: [detail])
    }
    /// A backup the catalog holds cannot be read (found when the backups are first needed, not at
    /// start-up): every request that needs the context's backups answers this.
    public static func unreadableBackup(_ name: String, store: String, _ why: String) -> AdminError {
        AdminError(code: 500, message: "The catalog's backups cannot be read.",
                   details: ["The stored backup '\(name)' of the backup store '\(store)' is damaged: \(why)",
                             "Start drmock with --reset (or another --db) to load the fixture anew."])
    }
}

// MARK: - The whole disaster-recovery surface (stores, restore, delete, settings, tasks, releases)
extension AdminError {
    /// Legacy `backuprestore/backups/<b>` when no store has the backup.
    public static func backupNotFound(_ name: String) -> AdminError {
        AdminError(code: 404, message: "The backup '\(name)' does not exist.")
    }
    public static func wrongPasscode() -> AdminError {
        AdminError(code: 400, message: "The passcode is incorrect.",
                   details: ["The passcode does not match the one given when the backup was created."])
    }
    public static func backupBeingRestored(_ name: String) -> AdminError {
        AdminError(code: 409, message: "The backup '\(name)' is being restored and cannot be deleted.")
    }
    public static func organizationOffline() -> AdminError {
        AdminError(code: 503, message: "The organization is unavailable while a restore is in progress.",
                   details: ["Poll the disaster recovery status resource until the restore ends."])
    }
    /// Restoring a backup made at another release (enterprise-k8s 12.0 "Back up and restore": "you can
    /// restore any of the backup files ... from the same release as the running deployment").
    public static func backupOfAnotherRelease(_ name: String, made: String, running: String) -> AdminError {
        AdminError(code: 400, message: "The backup '\(name)' was created at release \(made) and cannot be restored on release \(running).",
                   details: ["Only backups from the same release as the running deployment can be restored."])
    }
    /// `POST /_mock/upgrade` (or `--release`) to a release that is not newer.
    public static func cannotUpgrade(from: String, to: String) -> AdminError {
        AdminError(code: 409, message: "The deployment runs release \(from) and cannot move to \(to).",
                   details: ["An in-place upgrade goes to a newer release; releases are never downgraded in place."])
    }
    public static func duplicateStore(_ name: String) -> AdminError {
        AdminError(code: 409, message: "A backup store with the name '\(name)' already exists.")
    }
    public static func volumeInUse(_ store: String) -> AdminError {
        AdminError(code: 409, message: "The backup store '\(store)' already uses this storage location.")
    }
    public static func cannotUnregisterDefault(_ name: String) -> AdminError {
        AdminError(code: 400, message: "The default backup store '\(name)' cannot be unregistered.",
                   details: ["Make another backup store the default first."])
    }
    public static func cannotUnsetDefault(_ name: String) -> AdminError {
        AdminError(code: 400, message: "The backup store '\(name)' is the default and cannot stop being it.",
                   details: ["Make another backup store the default instead."])
    }
    public static func invalidJSON(_ name: String, _ why: String) -> AdminError {
        AdminError(code: 400, message: "Invalid JSON in parameter '\(name)'.", details: [why])
    }
    public static func invalidSettings(_ name: String, _ why: String) -> AdminError {
        AdminError(code: 400, message: "Invalid settings in parameter '\(name)'.", details: [why])
    }
    public static func tooManyTasks(_ limit: Int) -> AdminError {
        AdminError(code: 409, message: "The deployment already has \(limit) tasks.", details: ["Delete a task before creating another."])
    }
    public static func unknownTask(_ id: String) -> AdminError {
        AdminError(code: 404, message: "The task '\(id)' does not exist.")
    }
    /// `--strict`: a parameter the route (or the release) does not know.
    public static func unknownParameter(_ name: String, release: String) -> AdminError {
        AdminError(code: 400, message: "Unknown parameter '\(name)'.",
                   details: ["Release \(release) does not accept '\(name)' here (drmock runs with --strict)."])
    }
    /// `--strict`: a resource or operation the release does not have.
    public static func notInRelease(_ path: String, release: String) -> AdminError {
        AdminError(code: 404, message: "Resource not found.", details: ["'\(path)' does not exist at release \(release)."])
    }
}
