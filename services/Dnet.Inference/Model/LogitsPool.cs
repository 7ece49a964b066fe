namespace Dnet.Inference.Model;

/// <summary>
/// Reused vocabulary-sized logits arrays of one slice. An array of a large vocabulary (196 KB at 49,152) lands on the
/// large-object heap, and a fresh one per sequence per step made the last shard churn through tens of MB/s of it,
/// paying for gen-2 collections that stop the kernel threads too. Arrays come back through
/// <see cref="SliceOutput.ReturnLogits"/>; an array never returned is simply collected.
/// </summary>
sealed class LogitsPool(int vocabSize)
{
    /// <summary>Enough for the largest batches a shard runs; more returned arrays are left to the collector.</summary>
    const int MaxKept = 256;

    readonly Stack<float[]> _free = new();

    public float[] Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var array))
            {
                return array;
            }
        }
        return GC.AllocateUninitializedArray<float>(vocabSize);
    }

    public void Return(float[] array)
    {
        if (array.Length != vocabSize)
        {
            return;
        }
        lock (_free)
        {
            if (_free.Count < MaxKept)
            {
                _free.Push(array);
            }
        }
    }
}
