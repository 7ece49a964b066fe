using Dnet.Contracts.Tracing;
using Microsoft.Extensions.Logging;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// This node's copy of the run-time trace control: which frames open. Read on every frame start (one volatile read),
/// written when a newer <see cref="TraceControlMessage"/> arrives.
/// </summary>
/// <remarks>
/// Live gates also register process-wide for <see cref="DnetFrames"/>: OpenTelemetry turns a sampler's "drop" into a
/// propagation-only activity (still allocated, never exported), so a frame that no gate records is refused before
/// the activity source is asked at all. A process normally holds one gate; with several (test hosts) a frame opens
/// when any of them records it, as it would with several listeners.
/// </remarks>
internal sealed class FrameGate : IDisposable
{
    private static FrameGate[] live = [];
    private static readonly Lock Registering = new();

    private readonly Lock applying = new();
    private readonly ILogger<FrameGate> logger;
    private volatile TraceControlMessage current = new(0, TraceControlState.AllFrames);

    public FrameGate(ILogger<FrameGate> logger)
    {
        this.logger = logger;
        lock (Registering)
        {
            live = [.. live, this];
        }
    }

    public TraceControlMessage Current => current;

    /// <summary>Whether any live gate in this process records <paramref name="frameName"/>; true when there is none.</summary>
    public static bool AnyRecords(string frameName)
    {
        var gates = Volatile.Read(ref live);
        if (gates.Length == 0)
        {
            return true;
        }

        foreach (var gate in gates)
        {
            if (gate.Records(frameName))
            {
                return true;
            }
        }

        return false;
    }

    public bool Records(string frameName) => current.State.Records(frameName);

    /// <summary>The name-prefix filter of this process's trace control; empty when every frame is recorded.</summary>
    public static IReadOnlyList<string> ActivePrefixes() =>
        Volatile.Read(ref live) is [var gate, ..] ? gate.current.State.IncludePrefixes : [];

    /// <summary>Applies <paramref name="message"/> unless this node already holds the same or a newer revision.</summary>
    public bool Apply(TraceControlMessage message)
    {
        lock (applying)
        {
            if (message.Revision <= current.Revision)
            {
                return false;
            }

            current = message;
        }

        logger.LogInformation(
            "Trace control revision {Revision}: enabled={Enabled}, include prefixes [{Prefixes}]",
            message.Revision, message.State.Enabled, string.Join(", ", message.State.IncludePrefixes));
        return true;
    }

    public void Dispose()
    {
        lock (Registering)
        {
            live = Array.FindAll(live, gate => gate != this);
        }
    }
}
