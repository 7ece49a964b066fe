using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dnet.Inference.Kernels;

/// <summary>A float32 [rows, width] scratch matrix that grows to the largest batch seen and is then reused.</summary>
sealed unsafe class Activations(int width)
{
    float[] _data = [];

    public float* Pointer { get; private set; }

    /// <summary>Row r (valid after <see cref="Ensure"/>).</summary>
    public float* Row(int r) => Pointer + (long)r * width;

    public void Ensure(int rows)
    {
        long needed = (long)rows * width;
        if (_data.Length < needed)
        {
            // Pinned so the kernels may hold raw pointers; grown geometrically so steady state never allocates.
            _data = GC.AllocateUninitializedArray<float>((int)Math.Max(needed, 2L * _data.Length), pinned: true);
            Pointer = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
        }
    }
}
