namespace Dnet.Perf;

/// <summary>Scope and presentation of an annotate table. Flat, so a host can bind it from a query string.</summary>
public sealed record AnnotateQuery : SpanQuery
{
    /// <summary>Drop idle <c>.wait</c> frames; when false they are kept and flagged.</summary>
    public bool ExcludeWait { get; init; }

    /// <summary>Row order.</summary>
    public AnnotateSort Sort { get; init; } = AnnotateSort.Self;

    /// <summary>Which children self time subtracts; <see cref="SelfTimeScope.Process"/> by default.</summary>
    public SelfTimeScope SelfTime { get; init; } = SelfTimeScope.Process;
}
