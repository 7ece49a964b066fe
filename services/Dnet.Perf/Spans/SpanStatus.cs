namespace Dnet.Perf;

/// <summary>Outcome of a span, as reported by OpenTelemetry.</summary>
public enum SpanStatus : byte
{
    /// <summary>The frame completed normally (or its status was unset).</summary>
    Ok,

    /// <summary>The frame recorded an error.</summary>
    Error,
}
