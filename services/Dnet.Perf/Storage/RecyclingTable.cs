namespace Dnet.Perf;

/// <summary>
/// High-cardinality keyed entries (traces, requests) referred to by a slot; a removed entry's slot is reused,
/// so a store that runs for days does not grow with every request it has ever seen.
/// </summary>
internal sealed class RecyclingTable<T>
    where T : class
{
    private readonly Dictionary<string, int> slots = new(StringComparer.Ordinal);
    private readonly List<T?> entries = [];
    private readonly Stack<int> free = new();

    public int Count => slots.Count;

    public IEnumerable<int> Slots => slots.Values;

    public T this[int slot] => entries[slot]!;

    public bool TryFind(string key, out int slot) => slots.TryGetValue(key, out slot);

    public int GetOrAdd(string key, Func<string, int, T> create)
    {
        if (slots.TryGetValue(key, out var slot))
        {
            return slot;
        }

        slot = free.Count > 0 ? free.Pop() : entries.Count;
        var entry = create(key, slot);
        if (slot == entries.Count)
        {
            entries.Add(entry);
        }
        else
        {
            entries[slot] = entry;
        }

        slots.Add(key, slot);
        return slot;
    }

    public void Remove(string key)
    {
        if (slots.Remove(key, out var slot))
        {
            entries[slot] = null;
            free.Push(slot);
        }
    }
}
