namespace Dnet.Shard.Ring;

/// <summary>
/// One batched forward as it ran: its interval, the engine call inside it (shared by every step that ran), and each
/// step's outcome in batch order.
/// </summary>
/// <param name="Forward">From the first step's input to the last step's output: every request's <c>compute.forward</c>.</param>
/// <param name="Execute">The engine call(s), refused steps' retries included.</param>
/// <param name="Outcomes">One per step of the batch.</param>
internal sealed record BatchRun(TimeRange Forward, TimeRange Execute, IReadOnlyList<StepOutcome> Outcomes)
{
    /// <summary>Sequences in the forward that ran.</summary>
    public int Sequences => Outcomes.Count(o => o.Executed);

    /// <summary>Rows of the forward that ran.</summary>
    public int Rows => Outcomes.Where(o => o.Executed).Sum(o => o.Input!.Tokens);
}
