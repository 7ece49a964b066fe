namespace Dnet.Inference.Kernels;

/// <summary>
/// y = x·Wᵀ on the CPU's bf16 tiles (<see cref="TileCode"/>) for weights that have a <see cref="TiledWeight"/> copy. The
/// activation rows are rounded to bf16 and packed once per call in groups of 16 (the last one padded with zeros),
/// then the worker group takes the weight's blocks. Each output element is one tile dot product over k in a fixed
/// order, so a row's result never depends on the other rows, on how many there are, or on the thread.
/// </summary>
sealed unsafe class TileProjection(WorkerGroup group) : IParallelWork
{
    // Several items per thread balance the threads; an item of a few blocks keeps a call worth its tile configuration.
    const int ItemsPerThread = 4;

    readonly Dictionary<FusedWeight, Item[]> _plans = new(ReferenceEqualityComparer.Instance);
    // Per thread: the float32 tiles of one item, 256 floats each. The packed rows (bf16 pairs, one uint per pair) are
    // counted in floats' width.
    readonly Activations[] _out = [.. Enumerable.Range(0, group.Threads).Select(_ => new Activations(256))];
    readonly Activations _packed = new(16);
    readonly Activations _row = new(1);
    Item[] _items = [];
    FusedWeight? _weight;
    int _m, _groups, _ldy;
    float* _y;

    /// <summary>y[m, weight.Rows] (row stride <paramref name="ldy"/>) = x[m, weight.Cols] · weightᵀ; every part must be tiled.</summary>
    public void Run(FusedWeight weight, float* x, int m, float* y, int ldy)
    {
        _weight = weight;
        _m = m;
        _groups = (m + 15) / 16;
        _y = y;
        _ldy = ldy;
        Pack(x, m, weight.Cols);
        _items = PlanOf(weight);
        group.Run(this, _items.Length);
        _weight = null;
    }

    // Group g holds rows 16g..16g+15 as [k step][16 pairs of k][16 rows] of (x[2i], x[2i + 1]) in bf16, which is the
    // layout tdpbf16ps takes for its second matrix. The last group's missing rows are zeros: one clear of that group,
    // cheaper than writing zeros a column at a time (a decode row alone would write 15 zero columns).
    void Pack(float* x, int m, int k)
    {
        int pairs = k / 2;
        long groupPairs = (long)pairs * 16;
        _packed.Ensure(_groups * pairs);
        _row.Ensure(pairs);
        uint* packed = (uint*)_packed.Pointer;
        uint* row = (uint*)_row.Pointer;
        if (m % 16 != 0)
        {
            new Span<uint>(packed + (_groups - 1) * groupPairs, (int)groupPairs).Clear();
        }
        for (int r = 0; r < m; r++)
        {
            uint* column = packed + (r / 16) * groupPairs + r % 16;
            Bf16.Narrow(x + (long)r * k, (ushort*)row, k);
            for (int i = 0; i < pairs; i++)
            {
                column[i * 16] = row[i];
            }
        }
    }

    void IParallelWork.Run(int item, int worker)
    {
        var (part, first, count, column) = _items[item];
        var weight = _weight!.Tiles![part];
        _out[worker].Ensure(count * _groups);
        float* output = _out[worker].Pointer;
        TileArgs args = new()
        {
            Config = TileCode.Config,
            Weights = weight.Tile(first),
            Activations = (uint*)_packed.Pointer,
            Out = output,
            KSteps = weight.KSteps,
            Blocks = count / 4,
            Groups = _groups,
        };
        if (args.Blocks > 0)
        {
            TileCode.Block64(&args);
            Scatter(output, (int)args.Blocks, 4, column);
        }
        int rest = count % 4;
        if (rest > 0)
        {
            int done = count - rest;
            args.Weights = weight.Tile(first + done);
            args.Out = output + (long)done * _groups * 256;
            args.Blocks = rest;
            TileCode.Block16(&args);
            Scatter(args.Out, rest, 1, column + 16 * done);
        }
    }

    // The products come out as [block][group][tile][16 weight rows][16 activation rows]; y wants [row][column].
    void Scatter(float* output, int blocks, int tiles, int column)
    {
        float* tile = output;
        for (int b = 0; b < blocks; b++)
        {
            for (int g = 0; g < _groups; g++)
            {
                int rows = Math.Min(16, _m - 16 * g);
                for (int t = 0; t < tiles; t++, tile += 256)
                {
                    float* y = _y + (long)16 * g * _ldy + column + (b * tiles + t) * 16;
                    for (int r = 0; r < rows; r++, y += _ldy)
                    {
                        for (int n = 0; n < 16; n++)
                        {
                            y[n] = tile[n * 16 + r];
                        }
                    }
                }
            }
        }
    }

    // Items are runs of whole tiles within one part, about the same size, so that the threads finish together (a
    // decode row's product is a few tens of microseconds): 4-tile blocks where they fit, single tiles for the rest.
    Item[] PlanOf(FusedWeight weight)
    {
        if (_plans.TryGetValue(weight, out var plan))
        {
            return plan;
        }
        var items = new List<Item>();
        int total = weight.Tiles!.Sum(t => t.Tiles);
        int perItem = Math.Max(4, (total + ItemsPerThread * group.Threads - 1) / (ItemsPerThread * group.Threads));
        int column = 0;
        for (int p = 0; p < weight.Tiles!.Length; p++)
        {
            int tiles = weight.Tiles[p].Tiles;
            int count = (tiles + perItem - 1) / perItem;
            for (int i = 0; i < count; i++)
            {
                // Even runs: the first tiles / count rounded down or up, never more than perItem.
                int first = (int)((long)tiles * i / count), end = (int)((long)tiles * (i + 1) / count);
                items.Add(new(p, first, end - first, column + 16 * first));
            }
            column += weight.Tiles[p].Rows;
        }
        plan = [.. items];
        _plans[weight] = plan;
        return plan;
    }

    /// <param name="Part">Which of the fused weight's parts.</param>
    /// <param name="First">First 16-row tile of the item in its part.</param>
    /// <param name="Count">Tiles in the item.</param>
    /// <param name="Column">y column of the item's first weight row.</param>
    readonly record struct Item(int Part, int First, int Count, int Column);
}
