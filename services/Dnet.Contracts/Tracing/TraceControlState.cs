namespace Dnet.Contracts.Tracing;

/// <summary>
/// Which frames every node records: all of them, none, or only those whose name starts with one of
/// <see cref="IncludePrefixes"/>. While tracing is on, a request's skeleton (its root span and its token frames,
/// <see cref="FrameNames.IsRequestSkeleton"/>) is always recorded, so a prefix filter never breaks request stats.
/// JSON: <c>{"enabled": bool, "include_prefixes": ["compute.", ...]}</c>.
/// </summary>
/// <param name="Enabled">Whether Dnet frames are recorded at all.</param>
/// <param name="IncludePrefixes">Frame-name prefixes to record; empty records every frame.</param>
public sealed record TraceControlState(bool Enabled, IReadOnlyList<string> IncludePrefixes)
{
    /// <summary>The default: every frame recorded.</summary>
    public static TraceControlState AllFrames { get; } = new(true, []);

    /// <summary>Whether a frame named <paramref name="frameName"/> is recorded under this state.</summary>
    /// <param name="frameName">Frame name.</param>
    public bool Records(string frameName)
    {
        if (!Enabled)
        {
            return false;
        }

        if (IncludePrefixes.Count == 0 || FrameNames.IsRequestSkeleton(frameName))
        {
            return true;
        }

        // Indexed, not foreach: an interface enumerator would allocate on every frame start.
        for (var i = 0; i < IncludePrefixes.Count; i++)
        {
            if (frameName.StartsWith(IncludePrefixes[i], StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
