using System.Runtime.InteropServices;
using TorchSharp;

namespace Dnet.Inference.Kernels;

/// <summary>
/// A libtorch tensor over memory Dnet owns (a memory-mapped weight, a staging buffer), with no copy. TorchSharp only
/// wraps managed arrays, so this calls LibTorchSharp's <c>THSTensor_new</c> (torch::from_blob) itself, with a deleter
/// that does nothing: the memory outlives every view, which the caller guarantees.
/// </summary>
static unsafe partial class TorchView
{
    public static torch.Tensor Over(void* data, long rows, long cols, torch.ScalarType type)
    {
        long* shape = stackalloc long[2] { rows, cols };
        var handle = THSTensor_new((IntPtr)data, &KeepMemory, (IntPtr)shape, 2, (sbyte)type, (sbyte)type, (int)DeviceType.CPU, -1, false);
        if (handle == IntPtr.Zero)
        {
            torch.CheckForErrors();
        }
        return torch.Tensor.UnsafeCreateTensor(handle);
    }

    [UnmanagedCallersOnly]
    static void KeepMemory(IntPtr data)
    {
    }

    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_new(IntPtr data, delegate* unmanaged<IntPtr, void> deleter, IntPtr sizes, int dimensions, sbyte scalarType, sbyte dtype, int deviceType, int deviceIndex, [MarshalAs(UnmanagedType.U1)] bool requiresGrad);
}
