using Dnet.Contracts.Shards;
using Dnet.Inference.Model;
using Dnet.Models;
using WireFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Ring;

/// <summary>The rows of a wire frame as the engine takes them: token ids, or [tokens, hidden] hidden-state bytes.</summary>
internal static class FrameRows
{
    /// <summary>Rows of a frame: its token ids, or the first dimension of a well-formed hidden state; else 0.</summary>
    public static int Count(WireFrame frame)
    {
        if (frame.TokenIds.Count > 0)
        {
            return frame.TokenIds.Count;
        }

        if (frame.Shape.Count != 2 || frame.Shape[0] <= 0 || frame.Shape[1] <= 0 || ElementSize(frame.Dtype) is not { } size
            || frame.Hidden.Length != frame.Shape[0] * frame.Shape[1] * size)
        {
            return 0;
        }

        return (int)frame.Shape[0];
    }

    /// <summary>The engine's input for a step: its rows of the frame, without copying hidden-state bytes.</summary>
    /// <exception cref="ArgumentException">A malformed hidden state (shape, dtype).</exception>
    public static SliceInput Input(PendingStep step)
    {
        var frame = step.Inbound.Frame;
        bool whole = step.FirstRow == 0 && step.Rows == Count(frame);
        if (frame.TokenIds.Count > 0)
        {
            return SliceInput.FromTokens(whole ? [.. frame.TokenIds] : [.. frame.TokenIds.Skip(step.FirstRow).Take(step.Rows)]);
        }

        var hidden = Activations(frame);
        if (whole)
        {
            return SliceInput.FromActivations(hidden);
        }

        int rowBytes = hidden.HiddenSize * hidden.Dtype.ElementSize();
        return SliceInput.FromActivations(hidden with { Data = hidden.Data.Slice(step.FirstRow * rowBytes, step.Rows * rowBytes), Tokens = step.Rows });
    }

    private static Inference.Model.ActivationFrame Activations(WireFrame frame)
    {
        if (frame.Shape.Count != 2)
        {
            throw new ArgumentException($"hidden state must be [tokens, hidden], got [{string.Join(", ", frame.Shape)}]");
        }

        var dtype = frame.Dtype switch
        {
            ActivationDtype.F32 => ComputeDtype.Float32,
            ActivationDtype.Bf16 => ComputeDtype.BFloat16,
            _ => throw new ArgumentException($"unsupported activation dtype {frame.Dtype}"),
        };
        return new Inference.Model.ActivationFrame(frame.Hidden.Memory, (int)frame.Shape[0], (int)frame.Shape[1], dtype);
    }

    private static long? ElementSize(ActivationDtype dtype) => dtype switch
    {
        ActivationDtype.F32 => 4,
        ActivationDtype.Bf16 => 2,
        _ => null,
    };
}
