namespace Dnet.Shard.Ring;

/// <summary>
/// Decides what the next batched forward runs. Each request has a queue of pending steps that run strictly in order
/// (never two steps of one request in one batch); a batch is the ready decode step of every request plus prefill
/// (prompt) steps, oldest first, up to <see cref="PrefillChunkTokens"/> rows (always at least one). A frame longer than
/// that is split into chunks on arrival, so a long prompt goes through in several batches and the running decodes get
/// a token out of every one of them. Used by one thread (the <see cref="FrameWorker"/>).
/// </summary>
internal sealed class StepScheduler
{
    private readonly Dictionary<string, Queue<PendingStep>> _pending = new(StringComparer.Ordinal);
    private long _arrivals;

    public StepScheduler(int prefillChunkTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefillChunkTokens);
        PrefillChunkTokens = prefillChunkTokens;
    }

    /// <summary>Most prefill rows in one batch, and the chunk size of a long prompt.</summary>
    public int PrefillChunkTokens { get; }

    public bool IsEmpty => _pending.Count == 0;

    /// <summary>Whether a step of <paramref name="sequenceId"/> is waiting.</summary>
    public bool Has(string sequenceId) => _pending.ContainsKey(sequenceId);

    /// <summary>Steps waiting, over all requests.</summary>
    public int PendingSteps => _pending.Values.Sum(queue => queue.Count);

    /// <summary>Queues a frame behind the request's earlier steps, split into chunks when it has more rows than a chunk.</summary>
    public void Add(InboundFrame inbound)
    {
        var frame = inbound.Frame;
        if (!_pending.TryGetValue(frame.RequestId, out var queue))
        {
            queue = new Queue<PendingStep>();
            _pending.Add(frame.RequestId, queue);
        }

        int rows = FrameRows.Count(frame);
        if (rows <= PrefillChunkTokens)
        {
            queue.Enqueue(new PendingStep(inbound, 0, rows, frame.PartialPrompt, _arrivals++));
            return;
        }

        for (int first = 0; first < rows; first += PrefillChunkTokens)
        {
            int chunk = Math.Min(PrefillChunkTokens, rows - first);
            queue.Enqueue(new PendingStep(inbound, first, chunk, frame.PartialPrompt || first + chunk < rows, _arrivals++));
        }
    }

    /// <summary>
    /// Takes the next batch off the queues: every request's next step if it is a decode step, then prefill steps in
    /// arrival order while their rows fit the chunk budget (the first always does). Empty when nothing is pending.
    /// </summary>
    public IReadOnlyList<PendingStep> NextBatch()
    {
        var decode = new List<PendingStep>();
        var prefill = new List<PendingStep>();
        foreach (var queue in _pending.Values)
        {
            var head = queue.Peek();
            (head.IsPrefill ? prefill : decode).Add(head);
        }

        var batch = decode.OrderBy(step => step.Arrival).ToList();
        int budget = PrefillChunkTokens;
        foreach (var step in prefill.OrderBy(step => step.Arrival))
        {
            int rows = Math.Max(step.Rows, 1);
            if (rows > budget && budget < PrefillChunkTokens)
            {
                break;
            }

            batch.Add(step);
            budget -= rows;
        }

        foreach (var step in batch)
        {
            var queue = _pending[step.SequenceId];
            queue.Dequeue();
            if (queue.Count == 0)
            {
                _pending.Remove(step.SequenceId);
            }
        }

        return batch;
    }

    /// <summary>Forgets a request's pending steps (it failed, or was freed); returns how many were dropped.</summary>
    public int Drop(string sequenceId) => _pending.Remove(sequenceId, out var queue) ? queue.Count : 0;
}
