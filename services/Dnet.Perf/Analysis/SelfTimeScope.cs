namespace Dnet.Perf;

/// <summary>Which children a span's self time subtracts.</summary>
public enum SelfTimeScope
{
    /// <summary>
    /// Default: only children in the parent's own process (same node and service). A child elsewhere is remote
    /// work the parent waited for, and that wait stays in the parent's self time, as an off-CPU profiler charges
    /// a blocking call to its caller; per process, self times then add up to the process's busy time, and no
    /// interval measured on another node's clock is subtracted from this node's.
    /// </summary>
    Process,

    /// <summary>
    /// Every child in the trace, wherever it ran: a distributed parent (the gateway's request root) keeps only the
    /// time no callee covers, i.e. its own work plus transit gaps. Subject to clock skew between nodes.
    /// </summary>
    Trace,
}
