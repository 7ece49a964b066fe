namespace Dnet.Perf;

/// <summary>
/// Which spans a query looks at. All filters combine with AND; unset filters match everything.
/// Request filters (<see cref="RequestId"/>, <see cref="LastRequests"/>) only ever match spans that carry
/// <c>dnet.request_id</c>; without them, spans of no request (startup, model load) are in scope too.
/// </summary>
public record SpanQuery
{
    /// <summary>Only spans of this request.</summary>
    public string? RequestId { get; init; }

    /// <summary>Only spans of the N most recently completed requests (by the root's end time).</summary>
    public int? LastRequests { get; init; }

    /// <summary>Only spans emitted by this node.</summary>
    public string? Node { get; init; }

    /// <summary>Only spans emitted by this service.</summary>
    public string? Service { get; init; }

    /// <summary>Only spans whose name starts with this text (ordinal).</summary>
    public string? NamePrefix { get; init; }

    /// <summary>Only spans that started at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only spans that started before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Whether any request filter is set.</summary>
    public bool IsRequestScoped => RequestId is not null || LastRequests is not null;
}
