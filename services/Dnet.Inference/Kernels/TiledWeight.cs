using System.Runtime.InteropServices;
using Dnet.Models;

namespace Dnet.Inference.Kernels;

/// <summary>
/// A bf16 weight copied into the order the tile products read it: tiles of 16 rows, one after the other, each
/// holding for every 32 columns a 16 x 32 block of 1 KB. A tile load then reads 1 KB in one run instead of 64 bytes from
/// each of 16 rows, and each tile streams from memory front to back (which the prefetch in <c>tiles.S</c> relies on).
/// Costs one more copy of the weight in memory and one pass over it at load.
/// </summary>
sealed unsafe class TiledWeight : IDisposable
{
    public const int KStep = 32;

    TiledWeight(Weight source)
    {
        Rows = source.Rows;
        Cols = source.Cols;
        Data = (byte*)NativeMemory.AlignedAlloc((nuint)source.Bytes, 64);
        byte* at = Data;
        for (int tile = 0; tile < Tiles; tile++)
        {
            for (int s = 0; s < KSteps; s++)
            {
                for (int r = 0; r < 16; r++)
                {
                    Buffer.MemoryCopy(source.Row(16 * tile + r) + s * KStep * 2, at, 64, 64);
                    at += 64;
                }
            }
        }
    }

    public int Rows { get; }

    public int Cols { get; }

    public int KSteps => Cols / KStep;

    /// <summary>Tiles of 16 rows.</summary>
    public int Tiles => Rows / 16;

    public byte* Data { get; private set; }

    public long Bytes => (long)Rows * Cols * 2;

    /// <summary>The tiled copy, or null when the tiles cannot hold this weight (not bf16, rows not a multiple of 16, columns not of 32).</summary>
    public static TiledWeight? TryPack(Weight source) =>
        source.Dtype == ComputeDtype.BFloat16 && source.Rows % 16 == 0 && source.Cols % KStep == 0 ? new TiledWeight(source) : null;

    /// <summary>Where tile <paramref name="tile"/> (rows 16·tile to 16·tile + 15) starts.</summary>
    public byte* Tile(int tile) => Data + (long)tile * KSteps * 1024;

    public void Dispose()
    {
        if (Data != null)
        {
            NativeMemory.AlignedFree(Data);
            Data = null;
        }
    }
}
