using System.Text.Json.Serialization;

namespace Dnet.Contracts.Tracing;

/// <summary>Status of an <see cref="ExportedSpan"/>, as in OpenTelemetry.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SpanStatusCode>))]
public enum SpanStatusCode
{
    /// <summary>No status was set (the normal case for a completed frame).</summary>
    [JsonStringEnumMemberName("unset")]
    Unset,

    /// <summary>Explicitly marked successful.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>The frame recorded an error.</summary>
    [JsonStringEnumMemberName("error")]
    Error,
}
