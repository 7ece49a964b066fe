using Dnet.Contracts.Shards;
using Dnet.Inference.Model;
using WireFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Ring;

/// <summary>
/// What became of one step of a batch, and when its own parts ran: exactly one of <see cref="Next"/> (hidden state for
/// the next hop), <see cref="Token"/> (last shard), <see cref="Error"/>, or none of them for a prompt chunk that is not
/// the last on the last shard (nothing to sample yet).
/// </summary>
internal sealed class StepOutcome(PendingStep step)
{
    public PendingStep Step { get; } = step;

    /// <summary>The engine's input; null when the frame could not be read.</summary>
    public SliceInput? Input { get; set; }

    public TimeRange Load { get; set; }

    /// <summary>Whether the step was in the forward that ran (not refused before it).</summary>
    public bool Executed { get; set; }

    /// <summary>Sampling (last shard) or storing the output for the next hop; null when neither ran.</summary>
    public TimeRange? Finish { get; set; }

    public WireFrame? Next { get; set; }

    public TokenFrame? Token { get; set; }

    public string? Error { get; private set; }

    public void Fail(string error)
    {
        Error = error;
        Next = null;
        Token = null;
    }
}

/// <summary>A UTC time interval measured on this node.</summary>
internal readonly record struct TimeRange(DateTime Start, DateTime End);
