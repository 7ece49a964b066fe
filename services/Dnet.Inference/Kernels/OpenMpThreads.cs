using System.Runtime.InteropServices;

namespace Dnet.Inference.Kernels;

/// <summary>
/// The calling thread's OpenMP thread count (its nthreads ICV), which oneDNN reads for each libtorch product. Unlike
/// <c>torch.set_num_threads</c>, which also rebuilds libtorch's global thread pools, this touches one thread's setting.
/// libgomp is not loaded under a stable name (libtorch bundles a hashed copy), so its functions are looked up through
/// libtorch_cpu, which depends on it; without them products use libtorch's own count.
/// </summary>
static unsafe class OpenMpThreads
{
    static readonly delegate* unmanaged<int, void> SetNumThreads;
    static readonly delegate* unmanaged<int> GetMaxThreads;

    static OpenMpThreads()
    {
        // Already loaded by TorchSharp: dlopen by soname returns that copy, and dlsym on it searches its dependencies.
        if (NativeLibrary.TryLoad("libtorch_cpu.so", out var torchCpu)
            && NativeLibrary.TryGetExport(torchCpu, "omp_set_num_threads", out var set)
            && NativeLibrary.TryGetExport(torchCpu, "omp_get_max_threads", out var get))
        {
            SetNumThreads = (delegate* unmanaged<int, void>)set;
            GetMaxThreads = (delegate* unmanaged<int>)get;
        }
    }

    public static bool Available => SetNumThreads != null;

    /// <summary>Sets the calling thread's count; returns the previous one (0 when OpenMP was not found).</summary>
    public static int Set(int threads)
    {
        if (!Available)
        {
            return 0;
        }
        int previous = GetMaxThreads();
        SetNumThreads(threads);
        return previous;
    }
}
