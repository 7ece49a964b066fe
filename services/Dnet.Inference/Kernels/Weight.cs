using Dnet.Models;

namespace Dnet.Inference.Kernels;

/// <summary>
/// A row-major [rows, cols] matrix that the kernels read in place: memory-mapped checkpoint bytes, or a converted
/// copy when the file dtype differs from the compute dtype. Row r holds output feature r (torch's linear layout).
/// </summary>
unsafe readonly struct Weight(byte* data, int rows, int cols, ComputeDtype dtype)
{
    public byte* Data { get; } = data;

    public int Rows { get; } = rows;

    public int Cols { get; } = cols;

    public ComputeDtype Dtype { get; } = dtype;

    public long Bytes => (long)Rows * Cols * Dtype.ElementSize();

    public byte* Row(int r) => Data + (long)r * Cols * Dtype.ElementSize();

    /// <summary>Element (r, c) widened to float (for row lookups such as embeddings and norms).</summary>
    public float this[int r, int c] => Dtype == ComputeDtype.Float32
        ? ((float*)Row(r))[c]
        : Bf16.ToFloat(((ushort*)Row(r))[c]);
}

/// <summary>
/// Several weights with the same input width read as one matrix whose rows are theirs stacked (q|k|v, gate|up): one
/// kernel call, one synchronization, and no copy, since each part stays where the checkpoint put it.
/// </summary>
sealed class FusedWeight
{
    public FusedWeight(params Weight[] parts)
    {
        if (parts.Length == 0 || parts.Any(p => p.Cols != parts[0].Cols || p.Dtype != parts[0].Dtype))
        {
            throw new ArgumentException("fused weights need the same input width and dtype");
        }
        Parts = parts;
        Rows = parts.Sum(p => p.Rows);
    }

    public Weight[] Parts { get; }

    /// <summary>Output features: the parts' rows added up.</summary>
    public int Rows { get; }

    public int Cols => Parts[0].Cols;

    /// <summary>The parts copied for the bf16 tiles (<see cref="TileProjection"/>), or null when the kernel multiplies this weight.</summary>
    public TiledWeight[]? Tiles { get; private set; }

    /// <summary>Copies every part for the tiles, if all of them can be; returns the bytes copied (0 if none).</summary>
    public long Tile()
    {
        if (Tiles is not null)
        {
            return 0;
        }
        var tiled = Parts.Select(TiledWeight.TryPack).ToArray();
        if (tiled.Any(t => t is null))
        {
            foreach (var t in tiled)
            {
                t?.Dispose();
            }
            return 0;
        }
        Tiles = tiled!;
        return Tiles.Sum(t => t.Bytes);
    }

    /// <summary>Frees the tiled copies.</summary>
    public void Untile()
    {
        foreach (var t in Tiles ?? [])
        {
            t.Dispose();
        }
        Tiles = null;
    }
}
