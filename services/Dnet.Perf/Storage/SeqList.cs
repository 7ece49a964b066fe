namespace Dnet.Perf;

/// <summary>
/// Sequence numbers of a request's spans in arrival order. Mostly appended; a span whose request is resolved late
/// (it arrived before the ancestor that names its request) is inserted at its place, so the oldest live span stays
/// first and retention can remove it from the front.
/// </summary>
internal sealed class SeqList : IEnumerable<long>
{
    private readonly List<long> items = [];
    private int head;

    public int Count => items.Count - head;

    public void Add(long seq)
    {
        if (items.Count == head || items[^1] < seq)
        {
            items.Add(seq);
            return;
        }

        var at = items.BinarySearch(head, items.Count - head, seq, null);
        if (at < 0)
        {
            items.Insert(~at, seq);
        }
    }

    /// <summary>Removes <paramref name="seq"/> when it is the first (oldest) entry; false otherwise.</summary>
    public bool RemoveFirst(long seq)
    {
        if (Count == 0 || items[head] != seq)
        {
            return false;
        }

        head++;
        // Compact once the dead prefix outweighs the live entries, so removal stays O(1) amortized.
        if (head > 64 && head * 2 > items.Count)
        {
            items.RemoveRange(0, head);
            head = 0;
        }

        return true;
    }

    public IEnumerator<long> GetEnumerator()
    {
        for (var i = head; i < items.Count; i++)
        {
            yield return items[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
