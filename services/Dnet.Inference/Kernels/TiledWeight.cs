using System.Runtime.InteropServices;
using Dnet.Models;

namespace Dnet.Inference.Kernels;

/// <summary>
/// A bf16 weight copied into the order the tile products read it: tiles of 16 weight rows (16 output columns), one
/// after the other, each holding for every 32 k a 1 KB block laid out as the second matrix of <c>tdpbf16ps</c>
/// wants it: [16 pairs of k][16 weight rows][2 bf16]. A tile load then reads 1 KB in one run, each tile streams from
/// memory front to back (which the prefetch in <c>tiles.S</c> relies on), and the products come out as [activation
/// row][output column], the layout of y.
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
        uint* at = (uint*)Data;
        for (int tile = 0; tile < Tiles; tile++)
        {
            for (int s = 0; s < KSteps; s++)
            {
                for (int pair = 0; pair < KStep / 2; pair++)
                {
                    for (int r = 0; r < 16; r++)
                    {
                        // Weight row r's k = 32s + 2·pair and the next, as one 4-byte pair.
                        *at++ = ((uint*)source.Row(16 * tile + r))[s * KStep / 2 + pair];
                    }
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

    /// <summary>Bytes of one tile: a KB per k step.</summary>
    public long TileBytes => (long)KSteps * 1024;

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
