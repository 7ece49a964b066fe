namespace Dnet.Generation.Sampling;

/// <summary>A token and its sampling weight.</summary>
internal readonly record struct Candidate(int Id, float Weight)
{
    /// <summary>The sampling order: heavier first, then lower id. A total order, so selection is deterministic.</summary>
    public static bool Before(Candidate a, Candidate b) => a.Weight > b.Weight || (a.Weight == b.Weight && a.Id < b.Id);
}

/// <summary>
/// Selection without sorting the vocabulary: a bounded heap for top-k, a weighted quickselect for the top-p nucleus.
/// Both leave their result in an order that depends only on the input, which keeps seeded sampling reproducible.
/// </summary>
internal static class TokenSelection
{
    /// <summary>The k heaviest tokens (heap order) via a min-heap of size k: O(V log k).</summary>
    public static Span<Candidate> TopK(ReadOnlySpan<float> weights, int k, Candidate[] buffer)
    {
        Span<Candidate> heap = buffer.AsSpan(0, k);
        for (int i = 0; i < k; i++)
        {
            heap[i] = new Candidate(i, weights[i]);
        }

        for (int i = k / 2 - 1; i >= 0; i--)
        {
            SiftDown(heap, i, k);
        }

        for (int i = k; i < weights.Length; i++)
        {
            var candidate = new Candidate(i, weights[i]);
            if (Candidate.Before(candidate, heap[0]))
            {
                heap[0] = candidate;
                SiftDown(heap, 0, k);
            }
        }

        return heap;
    }

    /// <summary>Sorts a heap from <see cref="TopK"/> in place, heaviest first.</summary>
    public static void SortHeap(Span<Candidate> heap)
    {
        for (int end = heap.Length - 1; end > 0; end--)
        {
            (heap[0], heap[end]) = (heap[end], heap[0]);
            SiftDown(heap, 0, end);
        }
    }

    /// <summary>
    /// The tokens that can be in a nucleus reaching <paramref name="target"/> weight: those above a cut-off,
    /// lowered 64-fold until their weight suffices. Peaked distributions keep a few dozen tokens.
    /// </summary>
    public static Span<Candidate> AboveCutoff(ReadOnlySpan<float> weights, double target, Candidate[] buffer)
    {
        for (float cutoff = 1f / 64; ; cutoff /= 64)
        {
            bool everything = cutoff < 1e-30f;
            int count = 0;
            double mass = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                if (everything || weights[i] >= cutoff)
                {
                    buffer[count++] = new Candidate(i, weights[i]);
                    mass += weights[i];
                }
            }

            if (everything || mass >= target)
            {
                return buffer.AsSpan(0, count);
            }
        }
    }

    /// <summary>
    /// Moves the nucleus (the smallest set of heaviest tokens whose weight reaches <paramref name="target"/>) to the
    /// front and returns its size: a quickselect that recurses into one side by weight, O(n) expected.
    /// </summary>
    public static int Nucleus(Span<Candidate> candidates, double target)
    {
        int lo = 0;
        int hi = candidates.Length;
        double need = target;
        while (lo < hi)
        {
            int pivot = Partition(candidates, lo, hi);
            double heavier = 0;
            for (int i = lo; i < pivot; i++)
            {
                heavier += candidates[i].Weight;
            }

            if (heavier >= need)
            {
                hi = pivot;
                continue;
            }

            need -= heavier + candidates[pivot].Weight;
            if (need <= 0)
            {
                return pivot + 1;
            }

            lo = pivot + 1;
        }

        // Only reached through rounding when the target is (nearly) all the weight.
        return Math.Max(lo, 1);
    }

    /// <summary>Lomuto partition around the median of three; returns the pivot's final index.</summary>
    private static int Partition(Span<Candidate> c, int lo, int hi)
    {
        int mid = lo + (hi - lo) / 2;
        int last = hi - 1;
        // Order lo, mid, last so that the median lands at mid, then park it at the end.
        if (Candidate.Before(c[mid], c[lo]))
        {
            (c[mid], c[lo]) = (c[lo], c[mid]);
        }

        if (Candidate.Before(c[last], c[lo]))
        {
            (c[last], c[lo]) = (c[lo], c[last]);
        }

        if (Candidate.Before(c[last], c[mid]))
        {
            (c[last], c[mid]) = (c[mid], c[last]);
        }

        (c[mid], c[last]) = (c[last], c[mid]);
        Candidate pivot = c[last];
        int store = lo;
        for (int i = lo; i < last; i++)
        {
            if (Candidate.Before(c[i], pivot))
            {
                (c[i], c[store]) = (c[store], c[i]);
                store++;
            }
        }

        (c[store], c[last]) = (c[last], c[store]);
        return store;
    }

    /// <summary>Min-heap where the root is the candidate that sorts last.</summary>
    private static void SiftDown(Span<Candidate> heap, int i, int count)
    {
        while (true)
        {
            int worst = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < count && Candidate.Before(heap[worst], heap[left]))
            {
                worst = left;
            }

            if (right < count && Candidate.Before(heap[worst], heap[right]))
            {
                worst = right;
            }

            if (worst == i)
            {
                return;
            }

            (heap[i], heap[worst]) = (heap[worst], heap[i]);
            i = worst;
        }
    }
}
