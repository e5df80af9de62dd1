/// What drmock does, when it starts again on a catalog, with a disaster-recovery job that had not
/// finished (on the clock) when it stopped: the fixture's `"onRestart"`.
///
/// - `resume` (the default): the job continues on the clock as if nothing happened. With the system
///   clock, time that passed while drmock was down counts, so the job may have finished meanwhile.
/// - `fail`: the job ends `FAILED` at the instant drmock starts again (its running stage is marked
///   failed, no backup is made), with the message ``interruptionMessage(_:)``. A job that had already
///   finished on the clock by then keeps its outcome.
public enum RestartPolicy: String, Codable, Sendable {
    case resume
    case fail

    /// The failure message of a job ended by a restart under ``fail``.
    public static func interruptionMessage(_ operation: JobOperation) -> String {
        "The \(operation.rawValue.lowercased()) job was interrupted because drmock restarted while it ran."
    }
}
