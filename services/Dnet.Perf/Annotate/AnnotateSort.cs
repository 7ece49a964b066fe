namespace Dnet.Perf;

/// <summary>Sort key of annotate rows; numeric keys sort descending, ties by name.</summary>
public enum AnnotateSort
{
    /// <summary>Self time, descending (default: where the time went).</summary>
    Self,

    /// <summary>Inclusive total, descending.</summary>
    Total,

    /// <summary>Sample count, descending.</summary>
    Samples,

    /// <summary>Longest single sample, descending.</summary>
    Max,

    /// <summary>Frame name, ascending (ordinal).</summary>
    Name,
}
