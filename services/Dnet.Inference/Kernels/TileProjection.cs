namespace Dnet.Inference.Kernels;

/// <summary>
/// y = x·Wᵀ on the CPU's bf16 tiles (<see cref="TileCode"/>) for weights that have a <see cref="TiledWeight"/> copy. The
/// activation rows are rounded to bf16 and packed once per call in groups of 16 (on the worker group), then the worker
/// group takes runs of the weight's tiles. The tiles store their products straight into y's rows, and a last group of
/// fewer than 16 rows runs with its own row count, so nothing is read or written past the rows asked. Two groups at a
/// time on two tiles where there are two groups (<c>dnet_tiles_pair32</c>), else one group on four tiles. Each output
/// element is one tile dot product over k in a fixed order, so a row's result never depends on the other rows, on how
/// many there are, on which kernel ran it, or on the thread.
/// </summary>
sealed unsafe class TileProjection : IParallelWork
{
    // Several items per thread balance the threads; an item of a few blocks keeps a call worth its tile configuration.
    const int ItemsPerThread = 4;

    readonly Dictionary<FusedWeight, Item[]> _plans = new(ReferenceEqualityComparer.Instance);
    // The call's activation rows in bf16, packed [group][k step][16 rows][32 bf16] (two per float's width).
    readonly Activations _packed = new(1);
    // Per thread: one row in bf16 on its way into the packed groups.
    readonly Activations[] _row;
    readonly RowJob _packRows;
    readonly Action<int, int> _packRow;
    readonly WorkerGroup _group;
    float* _x;
    int _steps;
    Item[] _items = [];
    FusedWeight? _weight;
    int _m, _k, _ldy;
    float* _y;

    public TileProjection(WorkerGroup group)
    {
        _group = group;
        _row = [.. Enumerable.Range(0, group.Threads).Select(_ => new Activations(1))];
        _packRows = new RowJob(group);
        _packRow = PackRow;
    }

    /// <summary>y[m, weight.Rows] (row stride <paramref name="ldy"/>) = x[m, weight.Cols] · weightᵀ; every part must be tiled.</summary>
    public void Run(FusedWeight weight, float* x, int m, float* y, int ldy)
    {
        _weight = weight;
        _m = m;
        _k = weight.Cols;
        _y = y;
        _ldy = ldy;
        Pack(x);
        _items = PlanOf(weight);
        _group.Run(this, _items.Length);
        _weight = null;
    }

    // Group g's k step s is the 1 KB tile [16 rows][32 bf16] the first matrix of tdpbf16ps takes, so every tile load
    // reads one contiguous KB (which the prefetch in tiles.S relies on). The last group's missing rows are never read.
    void Pack(float* x)
    {
        int groups = (_m + 15) / 16;
        _steps = _k / TiledWeight.KStep;
        _packed.Ensure(groups * _steps * 256);
        foreach (var row in _row)
        {
            row.Ensure(_k / 2);
        }
        _x = x;
        _packRows.Run(_m, _packRow);
    }

    void PackRow(int r, int worker)
    {
        ushort* row = (ushort*)_row[worker].Pointer;
        Bf16.Narrow(_x + (long)r * _k, row, _k);
        byte* at = (byte*)_packed.Pointer + ((long)(r / 16) * _steps * 1024) + (r % 16) * 64;
        for (int s = 0; s < _steps; s++)
        {
            Buffer.MemoryCopy(row + s * TiledWeight.KStep, at + (long)s * 1024, 64, 64);
        }
    }

    void IParallelWork.Run(int item, int worker)
    {
        var (part, first, count, column) = _items[item];
        var weight = _weight!.Tiles![part];
        int groups = (_m + 15) / 16;
        int pairBlocks = groups >= 2 ? count / 2 : 0;
        if (pairBlocks == 0)
        {
            EveryGroup(weight, first, count, column);
            return;
        }

        // Pairs of groups on two tiles at a time; a last odd group on the same tiles; an odd tile on its own.
        int tail = _m % 16, pairs = groups / 2;
        bool tailInLastPair = tail > 0 && groups % 2 == 0;
        int fullPairs = tailInLastPair ? pairs - 1 : pairs;
        Call(&TileCode.Pair32, TileCode.PairConfig(16), weight, first, pairBlocks, group: 0, fullPairs, column);
        if (tailInLastPair)
        {
            Call(&TileCode.Pair32, TileCode.PairConfig(tail), weight, first, pairBlocks, group: 2 * fullPairs, 1, column);
        }
        if (groups % 2 == 1)
        {
            int last = groups - 1;
            OneGroupAtATime(weight, first, 2 * pairBlocks, column, last, 1, Math.Min(16, _m - 16 * last));
        }
        EveryGroup(weight, first + 2 * pairBlocks, count % 2, column + 32 * pairBlocks);
    }

    // Every group, one at a time: the full groups of 16 rows, then the last group's rows with their own configuration.
    void EveryGroup(TiledWeight weight, int firstTile, int tiles, int column)
    {
        int full = _m / 16, tail = _m % 16;
        OneGroupAtATime(weight, firstTile, tiles, column, group: 0, full, rows: 16);
        if (tail > 0)
        {
            OneGroupAtATime(weight, firstTile, tiles, column, group: full, 1, rows: tail);
        }
    }

    // Groups [group, group + groups) of the given rows each on one group's kernels: four tiles at a time, then the rest one by one.
    void OneGroupAtATime(TiledWeight weight, int firstTile, int tiles, int column, int group, int groups, int rows)
    {
        byte* config = TileCode.Config(rows);
        int blocks = tiles / 4;
        Call(&TileCode.Block64, config, weight, firstTile, blocks, group, groups, column);
        Call(&TileCode.Block16, config, weight, firstTile + 4 * blocks, tiles % 4, group, groups, column + 64 * blocks);
    }

    // One kernel call: blocks of weight tiles from firstTile on, groups (or pairs of groups) from group on.
    void Call(delegate*<TileArgs*, void> kernel, byte* config, TiledWeight weight, int firstTile, int blocks, int group, int groups, int column)
    {
        if (blocks == 0 || groups == 0)
        {
            return;
        }
        TileArgs args = new()
        {
            Config = config,
            Weights = weight.Tile(firstTile),
            Activations = (byte*)_packed.Pointer + group * weight.TileBytes,
            Out = _y + (long)16 * group * _ldy + column,
            KSteps = weight.KSteps,
            Blocks = blocks,
            Groups = groups,
            OutRowBytes = (long)_ldy * 4,
            TileBytes = weight.TileBytes,
        };
        kernel(&args);
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
        int perItem = Math.Max(4, (total + ItemsPerThread * _group.Threads - 1) / (ItemsPerThread * _group.Threads));
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
