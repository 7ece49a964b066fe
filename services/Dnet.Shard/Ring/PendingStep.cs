namespace Dnet.Shard.Ring;

/// <summary>
/// One step of one request waiting for a batch: rows [<see cref="FirstRow"/>, <see cref="FirstRow"/> +
/// <see cref="Rows"/>) of an inbound frame, which is the whole frame or one chunk of a long prompt.
/// </summary>
/// <param name="Inbound">The frame as received.</param>
/// <param name="FirstRow">First row of the frame this step runs.</param>
/// <param name="Rows">Rows it runs (0 for a frame whose rows could not be read; the engine then says what is wrong).</param>
/// <param name="Partial">More rows of the same prompt follow (on this hop or, when the frame was itself partial, later).</param>
/// <param name="Arrival">Order in which steps reached the scheduler; older prefill goes first.</param>
internal sealed record PendingStep(InboundFrame Inbound, int FirstRow, int Rows, bool Partial, long Arrival)
{
    public string SequenceId => Inbound.Frame.RequestId;

    /// <summary>A prompt step (step 0), whole or chunk; everything else is a decode step.</summary>
    public bool IsPrefill => Inbound.Frame.Step == 0;

    /// <summary>The first step of its frame: the one that ends the frame's <c>compute.queue.wait</c>.</summary>
    public bool StartsFrame => FirstRow == 0;

    public int StartPosition => Inbound.Frame.StartPosition + FirstRow;
}
