namespace Dnet.Inference.Kernels;

/// <summary>
/// y = x·Wᵀ over a worker group: the fused weight's rows cut into blocks (never across parts) that threads claim
/// one at a time. One instance per slice, reused by every call, so a call allocates nothing.
/// </summary>
sealed unsafe class Projection(WorkerGroup group, SimdLevel level) : IParallelWork
{
    // A block should be worth a claim (tens of KB of weights) yet leave several blocks per thread to balance.
    const long TargetBlockBytes = 32 << 10;
    const int BlocksPerThread = 4;

    readonly Dictionary<FusedWeight, (int Part, int Row, int Count, int Column)[]> _plans = new(ReferenceEqualityComparer.Instance);
    (int Part, int Row, int Count, int Column)[] _blocks = [];
    FusedWeight? _weight;
    float* _x;
    int _m;
    float* _y;
    int _ldy;

    public SimdLevel Level => level;

    /// <summary>y[m, weight.Rows] (row stride <paramref name="ldy"/>) = x[m, weight.Cols] · weightᵀ.</summary>
    public void Run(FusedWeight weight, float* x, int m, float* y, int ldy)
    {
        _weight = weight;
        _x = x;
        _m = m;
        _y = y;
        _ldy = ldy;
        _blocks = PlanOf(weight);
        group.Run(this, _blocks.Length);
        _weight = null;
    }

    void IParallelWork.Run(int item, int worker)
    {
        var (part, row, count, column) = _blocks[item];
        MatMul.Block(level, _weight!.Parts[part], row, count, _x, _m, _y, _ldy, column);
    }

    (int, int, int, int)[] PlanOf(FusedWeight weight)
    {
        if (_plans.TryGetValue(weight, out var plan))
        {
            return plan;
        }
        long rowBytes = weight.Parts[0].Bytes / weight.Parts[0].Rows;
        int byBytes = (int)Math.Max(4, TargetBlockBytes / rowBytes);
        int byBalance = Math.Max(4, weight.Rows / (BlocksPerThread * group.Threads));
        int rows = Math.Min(byBytes, byBalance) / 4 * 4;
        var blocks = new List<(int, int, int, int)>();
        int column = 0;
        for (int p = 0; p < weight.Parts.Length; p++)
        {
            int partRows = weight.Parts[p].Rows;
            for (int r = 0; r < partRows; r += rows)
            {
                blocks.Add((p, r, Math.Min(rows, partRows - r), column + r));
            }
            column += partRows;
        }
        plan = [.. blocks];
        _plans[weight] = plan;
        return plan;
    }
}
