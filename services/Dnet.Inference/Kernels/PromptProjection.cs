using static TorchSharp.torch;

namespace Dnet.Inference.Kernels;

/// <summary>
/// y = x·Wᵀ for the rows of one prompt chunk on the CPU's bf16 matrix units, through libtorch (oneDNN: AMX tiles or
/// AVX512-BF16; see <see cref="MatrixUnits"/>). A chunk's rows are compute-bound, and these units multiply bf16 several
/// times faster than the float32 FMAs of <see cref="MatMul"/>. The rows are rounded to bf16 first and the products come
/// back in bf16, as in any bf16 model run by torch.
/// Each product is single-threaded, on the calling thread: here one thread's products are as fast as libtorch's two
/// threads' (300-460 GFLOP/s either way, measured), and cutting a chunk into a piece per core gained nothing while the
/// kernel thread that had run tiles then decoded a few percent slower. oneDNN picks its blocking by the number of rows,
/// so a row's bits depend on the size of its chunk: each call carries exactly one chunk (the chunks of a prompt follow
/// from its length and the chunk size, never from what else is in the batch or from the thread count), which keeps a
/// request's output independent of the other requests.
/// One caller at a time; the weights are read in place (a view per weight part, no copy).
/// </summary>
sealed unsafe class PromptProjection : IDisposable
{
    readonly Dictionary<FusedWeight, Tensor[]> _views = new(ReferenceEqualityComparer.Instance);
    ushort[] _staging = [];

    /// <summary>y[m, weight.Rows] (row stride <paramref name="ldy"/>) = x[m, weight.Cols] · weightᵀ, for one chunk's rows.</summary>
    public void Run(FusedWeight weight, float* x, int m, float* y, int ldy)
    {
        int k = weight.Cols;
        if (_staging.Length < m * k)
        {
            _staging = GC.AllocateUninitializedArray<ushort>(Math.Max(m * k, 2 * _staging.Length), pinned: true);
        }
        int previous = OpenMpThreads.Set(1);
        try
        {
            fixed (ushort* staging = _staging)
            {
                Bf16.Narrow(x, staging, (long)m * k);
                using var input = TorchView.Over(staging, m, k, ScalarType.BFloat16);
                var parts = ViewsOf(weight);
                int column = 0;
                for (int p = 0; p < parts.Length; p++)
                {
                    int n = weight.Parts[p].Rows;
                    using var product = nn.functional.linear(input, parts[p]);
                    fixed (byte* bytes = product.bytes) // a view of the tensor's native memory, which does not move
                    {
                        for (int i = 0; i < m; i++)
                        {
                            Bf16.Widen((ushort*)bytes + (long)i * n, y + (long)i * ldy + column, n);
                        }
                    }
                    column += n;
                }
            }
        }
        finally
        {
            if (previous > 0)
            {
                OpenMpThreads.Set(previous);
            }
        }
    }

    Tensor[] ViewsOf(FusedWeight weight)
    {
        if (!_views.TryGetValue(weight, out var views))
        {
            views = [.. weight.Parts.Select(p => TorchView.Over(p.Data, p.Rows, p.Cols, ScalarType.BFloat16))];
            _views.Add(weight, views);
        }
        return views;
    }

    public void Dispose()
    {
        foreach (var view in _views.Values.SelectMany(v => v))
        {
            view.Dispose();
        }
        _views.Clear();
    }
}
