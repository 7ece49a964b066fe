namespace Dnet.Perf;

/// <summary>Low-cardinality strings (frame names, nodes, services) stored once and referred to by id.</summary>
internal sealed class InternTable
{
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    private readonly List<string> values = [];

    public int Count => values.Count;

    public int Intern(string value)
    {
        if (!ids.TryGetValue(value, out var id))
        {
            id = values.Count;
            ids.Add(value, id);
            values.Add(value);
        }

        return id;
    }

    /// <summary>Id of a known string, or -1 (which matches no stored span).</summary>
    public int Find(string value) => ids.TryGetValue(value, out var id) ? id : -1;

    public string this[int id] => values[id];
}
