namespace Dnet.Inference.Model;

/// <summary>
/// The rows of one batched forward: every token of every step, in step order, with the sequence cache it belongs
/// to and its position. Arrays grow to the largest batch seen and are reused.
/// </summary>
sealed class BatchRows
{
    public int Count { get; private set; }

    public SequenceKv[] Kv { get; private set; } = [];

    public int[] Position { get; private set; } = [];

    public void Reset(int count)
    {
        if (Kv.Length < count)
        {
            Kv = new SequenceKv[Math.Max(count, 2 * Kv.Length)];
            Position = new int[Kv.Length];
        }
        Count = count;
    }

    /// <summary>Drops the references to caches, so a freed sequence is not kept reachable by the last batch.</summary>
    public void Clear()
    {
        Array.Clear(Kv);
        Count = 0;
    }
}
