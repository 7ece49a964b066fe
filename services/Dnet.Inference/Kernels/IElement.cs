using System.Runtime.CompilerServices;

namespace Dnet.Inference.Kernels;

/// <summary>How the kernels read sixteen weight elements of one dtype as float lanes.</summary>
unsafe interface IElement
{
    static abstract int Size { get; }

    static abstract L Load<L>(byte* row, int column) where L : struct, ILanes<L>;

    /// <summary>Elements [column, end) widened into <paramref name="buffer"/>, zero-padded to sixteen lanes.</summary>
    static abstract L Tail<L>(byte* row, int column, int end, float* buffer) where L : struct, ILanes<L>;
}

/// <summary>float32 weights.</summary>
unsafe struct F32 : IElement
{
    public static int Size => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Load<L>(byte* row, int column) where L : struct, ILanes<L> => L.Load((float*)row + column);

    public static L Tail<L>(byte* row, int column, int end, float* buffer) where L : struct, ILanes<L> =>
        TailOf<L>((float*)row, column, end, buffer);

    /// <summary>A zero-padded partial chunk of a float row (padding lanes then add 0·0, as every form does).</summary>
    public static L TailOf<L>(float* row, int column, int end, float* buffer) where L : struct, ILanes<L>
    {
        for (int i = 0; i < 16; i++)
        {
            buffer[i] = column + i < end ? row[column + i] : 0f;
        }
        return L.Load(buffer);
    }
}

/// <summary>bfloat16 weights, widened on the fly (exact: the bits become the high half of a float).</summary>
unsafe struct BF16 : IElement
{
    public static int Size => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Load<L>(byte* row, int column) where L : struct, ILanes<L> => L.LoadBf16((ushort*)row + column);

    public static L Tail<L>(byte* row, int column, int end, float* buffer) where L : struct, ILanes<L>
    {
        ushort* elements = (ushort*)row;
        for (int i = 0; i < 16; i++)
        {
            buffer[i] = column + i < end ? Bf16.ToFloat(elements[column + i]) : 0f;
        }
        return L.Load(buffer);
    }
}
