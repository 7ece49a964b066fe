using System.Runtime.InteropServices;
using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Model;

/// <summary>
/// A hidden state on the wire: raw little-endian bf16 or f32 bytes of a row-major [tokens, hidden] tensor.
/// Conversions cost one memcpy each way (<c>tensor.bytes</c>), never an element-wise managed loop.
/// </summary>
/// <param name="Data">Row-major element bytes.</param>
/// <param name="Tokens">Rows.</param>
/// <param name="HiddenSize">Columns.</param>
/// <param name="Dtype">Element type of <paramref name="Data"/>.</param>
public sealed record ActivationFrame(ReadOnlyMemory<byte> Data, int Tokens, int HiddenSize, ComputeDtype Dtype)
{
    /// <summary>Copies a [tokens, hidden] tensor out as bytes of <paramref name="dtype"/> (converting if needed).</summary>
    public static ActivationFrame FromTensor(Tensor hidden, ComputeDtype dtype)
    {
        if (hidden.dim() != 2)
        {
            throw new ArgumentException($"expected a [tokens, hidden] tensor, got [{string.Join(", ", hidden.shape)}]", nameof(hidden));
        }
        using var scope = torch.NewDisposeScope();
        var wire = hidden.to(dtype.ToScalarType()).contiguous();
        return new ActivationFrame(wire.bytes.ToArray(), (int)hidden.shape[0], (int)hidden.shape[1], dtype);
    }

    /// <summary>Float32 rows written in <paramref name="dtype"/> (bf16 rounds to nearest even, as torch does).</summary>
    public static ActivationFrame FromRows(ReadOnlySpan<float> rows, int tokens, int hiddenSize, ComputeDtype dtype)
    {
        if (rows.Length != tokens * hiddenSize)
        {
            throw new ArgumentException($"expected {tokens * hiddenSize} values for [{tokens}, {hiddenSize}], got {rows.Length}", nameof(rows));
        }
        if (dtype == ComputeDtype.Float32)
        {
            return new ActivationFrame(MemoryMarshal.AsBytes(rows).ToArray(), tokens, hiddenSize, dtype);
        }
        var bits = new ushort[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            bits[i] = Kernels.Bf16.FromFloat(rows[i]);
        }
        return new ActivationFrame(MemoryMarshal.AsBytes(bits.AsSpan()).ToArray(), tokens, hiddenSize, dtype);
    }

    /// <summary>A new [tokens, hidden] tensor holding a copy of the bytes.</summary>
    public Tensor ToTensor()
    {
        long expected = (long)Tokens * HiddenSize * Dtype.ElementSize();
        if (Data.Length != expected)
        {
            throw new ArgumentException($"activation frame of [{Tokens}, {HiddenSize}] {Dtype} needs {expected} bytes, got {Data.Length}");
        }
        var tensor = torch.empty([Tokens, HiddenSize], Dtype.ToScalarType());
        Data.Span.CopyTo(tensor.bytes);
        return tensor;
    }

    /// <summary>Reinterprets float32 data as floats without copying (f32 frames only).</summary>
    public ReadOnlySpan<float> AsFloats() => Dtype == ComputeDtype.Float32
        ? MemoryMarshal.Cast<byte, float>(Data.Span)
        : throw new InvalidOperationException("frame is not float32");
}
