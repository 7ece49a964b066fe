namespace Dnet.Perf;

/// <summary>The live spans of one trace, oldest first; parent/child links only exist within a trace.</summary>
internal sealed class TraceEntry(string id)
{
    public string Id { get; } = id;

    public Queue<long> Spans { get; } = new();
}
