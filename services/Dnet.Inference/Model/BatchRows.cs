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

    /// <summary>First row of each step, in step order (a step is one decode token or one prompt chunk).</summary>
    public int[] StepStart { get; private set; } = [];

    /// <summary>Rows of each step.</summary>
    public int[] StepRows { get; private set; } = [];

    public int Steps { get; private set; }

    /// <summary>Appends a step of <paramref name="rows"/> rows after the ones added since <see cref="Reset"/>.</summary>
    public void AddStep(int start, int rows)
    {
        if (StepStart.Length == Steps)
        {
            StepStart = [.. StepStart, .. new int[Math.Max(4, Steps)]];
            StepRows = [.. StepRows, .. new int[Math.Max(4, Steps)]];
        }
        StepStart[Steps] = start;
        StepRows[Steps] = rows;
        Steps++;
    }

    public void Reset(int count)
    {
        if (Kv.Length < count)
        {
            Kv = new SequenceKv[Math.Max(count, 2 * Kv.Length)];
            Position = new int[Kv.Length];
        }
        Count = count;
        Steps = 0;
    }

    /// <summary>Drops the references to caches, so a freed sequence is not kept reachable by the last batch.</summary>
    public void Clear()
    {
        Array.Clear(Kv);
        Count = 0;
        Steps = 0;
    }
}
