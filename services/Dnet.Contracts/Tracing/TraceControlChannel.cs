namespace Dnet.Contracts.Tracing;

/// <summary>
/// Where the run-time trace control lives in Redis: the current state under <see cref="StateKey"/> (read by a node at
/// start-up and after a reconnect) and every change published on <see cref="Channel"/> (reaches running nodes at once).
/// Both carry a <see cref="TraceControlMessage"/> as JSON.
/// </summary>
public static class TraceControlChannel
{
    /// <summary>Pub/sub channel of changes.</summary>
    public const string Channel = "dnet:trace:control";

    /// <summary>String key holding the latest <see cref="TraceControlMessage"/>.</summary>
    public const string StateKey = "dnet:trace:state";

    /// <summary>Counter key that numbers changes (<see cref="TraceControlMessage.Revision"/>).</summary>
    public const string RevisionKey = "dnet:trace:revision";
}
