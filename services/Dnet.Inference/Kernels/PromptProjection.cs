using static TorchSharp.torch;

namespace Dnet.Inference.Kernels;

/// <summary>
/// y = x·Wᵀ for the rows of one prompt chunk on the CPU's bf16 matrix units, through libtorch (oneDNN: AMX tiles or
/// AVX512-BF16; see <see cref="MatrixUnits"/>). A chunk's rows are compute-bound, and these units multiply bf16 several
/// times faster than the float32 FMAs of <see cref="MatMul"/>. The rows are rounded to bf16 first and the products come
/// back in bf16, as in any bf16 model run by torch.
/// The chunk is cut into two pieces of fixed size, one per core, each a single-threaded product: one core's matrix unit
/// multiplies about as fast as libtorch's two threads together (300-460 GFLOP/s either way, measured), and single
/// threads need no waking. oneDNN picks its blocking by the number of rows, so a row's bits depend on its piece: the
/// pieces follow from the chunk's size alone (never from threads or from the rest of the batch), and each call carries
/// exactly one chunk, which keeps a request's output independent of the other requests and of the thread count.
/// One caller at a time; the weights are read in place (a view per weight part, no copy).
/// </summary>
sealed unsafe class PromptProjection(WorkerGroup group) : IParallelWork, IDisposable
{
    // Below this many rows a chunk stays in one piece (a second thread would cost more than it saves).
    const int MinRowsToSplit = 16;

    readonly Dictionary<FusedWeight, Tensor[]> _views = new(ReferenceEqualityComparer.Instance);
    ushort[] _staging = [];
    FusedWeight? _weight;
    ushort* _x;
    int _m;
    float* _y;
    int _ldy;

    /// <summary>y[m, weight.Rows] (row stride <paramref name="ldy"/>) = x[m, weight.Cols] · weightᵀ, for one chunk's rows.</summary>
    public void Run(FusedWeight weight, float* x, int m, float* y, int ldy)
    {
        int k = weight.Cols;
        if (_staging.Length < m * k)
        {
            _staging = GC.AllocateUninitializedArray<ushort>(Math.Max(m * k, 2 * _staging.Length), pinned: true);
        }
        fixed (ushort* staging = _staging)
        {
            Bf16.Narrow(x, staging, (long)m * k);
            ViewsOf(weight);
            _weight = weight;
            _x = staging;
            _m = m;
            _y = y;
            _ldy = ldy;
            int previous = OpenMpThreads.Set(1);
            try
            {
                group.Run(this, m >= MinRowsToSplit ? 2 : 1);
            }
            finally
            {
                if (previous > 0)
                {
                    OpenMpThreads.Set(previous);
                }
                _weight = null;
            }
        }
    }

    /// <summary>Piece <paramref name="item"/>: rows [0, ⌈m/2⌉) or [⌈m/2⌉, m), or all m rows when unsplit.</summary>
    void IParallelWork.Run(int item, int worker)
    {
        if (worker > 0)
        {
            OpenMpThreads.Set(1); // a kernel thread runs only Dnet's work, so its setting can stay
        }
        int pieces = _m >= MinRowsToSplit ? 2 : 1;
        int first = pieces == 1 ? 0 : item * ((_m + 1) / 2);
        int rows = pieces == 1 ? _m : item == 0 ? (_m + 1) / 2 : _m / 2;
        var weight = _weight!;
        var parts = _views[weight];
        using var input = TorchView.Over(_x + (long)first * weight.Cols, rows, weight.Cols, ScalarType.BFloat16);
        int column = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            int n = weight.Parts[p].Rows;
            using var product = nn.functional.linear(input, parts[p]);
            fixed (byte* bytes = product.bytes) // a view of the tensor's native memory, which does not move
            {
                for (int i = 0; i < rows; i++)
                {
                    Bf16.Widen((ushort*)bytes + (long)i * n, _y + (long)(first + i) * _ldy + column, n);
                }
            }
            column += n;
        }
    }

    void ViewsOf(FusedWeight weight)
    {
        if (!_views.ContainsKey(weight))
        {
            _views.Add(weight, [.. weight.Parts.Select(p => TorchView.Over(p.Data, p.Rows, p.Cols, ScalarType.BFloat16))]);
        }
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
