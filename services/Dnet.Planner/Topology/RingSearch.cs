using System.Numerics;

namespace Dnet.Planner.Topology;

/// <summary>A ring found by <see cref="RingSearch"/>: (device, start, end) slices in order, and its cost.</summary>
internal sealed record RingPath(IReadOnlyList<(int Device, int Start, int End)> Slices, double Cost);

/// <summary>
/// Exact minimum-cost split of layers [0, L) into contiguous non-empty slices on distinct devices, where the cost is
/// additive: a slice cost per (device, start, end) plus a hop cost per consecutive pair of devices (gateway = -1 at both
/// ends). Slice costs must not decrease as a slice grows at its end (true for time and for memory overflow), which lets
/// the search stop extending a slice once it becomes infeasible (+infinity).
/// </summary>
internal sealed class RingSearch
{
    private const int Gateway = -1;

    private readonly int devices;
    private readonly int layers;
    private readonly double[] sliceTable;
    private readonly double[,] hopTable;

    public RingSearch(int devices, int layers, Func<int, int, int, double> sliceCost, Func<int, int, double> hopCost)
    {
        (this.devices, this.layers) = (devices, layers);
        // Tabulated once (N·L² slices, (N+1)² hops): the searches read them millions of times.
        sliceTable = new double[devices * (layers + 1) * (layers + 1)];
        for (int d = 0; d < devices; d++)
        {
            for (int start = 0; start < layers; start++)
            {
                for (int end = start + 1; end <= layers; end++)
                {
                    sliceTable[SliceIndex(d, start, end)] = sliceCost(d, start, end);
                }
            }
        }
        hopTable = new double[devices + 1, devices + 1];
        for (int from = Gateway; from < devices; from++)
        {
            for (int to = Gateway; to < devices; to++)
            {
                hopTable[from + 1, to + 1] = from == to ? 0 : hopCost(from, to);
            }
        }
    }

    /// <summary>
    /// Every ring order, as a dynamic program over (set of used devices, last device, layers covered): the same optimum
    /// as trying every permutation with every split, without enumerating permutations (2^N·N·L states).
    /// </summary>
    public RingPath? SearchAllOrders(bool useAllDevices)
    {
        int masks = 1 << devices, full = masks - 1;
        var cost = new double[masks * devices * (layers + 1)];
        var previousDevice = new int[cost.Length];
        var previousEnd = new int[cost.Length];
        Array.Fill(cost, double.PositiveInfinity);

        for (int d = 0; d < devices; d++)
        {
            Extend(cost, previousDevice, previousEnd, Gateway, 0, 0, d, 1 << d, HopCost(Gateway, d));
        }
        for (int mask = 1; mask < masks; mask++)
        {
            for (int last = 0; last < devices; last++)
            {
                if ((mask & (1 << last)) == 0)
                {
                    continue;
                }
                for (int covered = 1; covered < layers; covered++)
                {
                    double here = cost[Index(mask, last, covered)];
                    if (double.IsPositiveInfinity(here))
                    {
                        continue;
                    }
                    for (int next = 0; next < devices; next++)
                    {
                        if ((mask & (1 << next)) == 0)
                        {
                            Extend(cost, previousDevice, previousEnd, last, covered, here, next, mask | (1 << next), HopCost(last, next));
                        }
                    }
                }
            }
        }

        (int Mask, int Last, double Cost)? best = null;
        for (int mask = 1; mask < masks; mask++)
        {
            if (useAllDevices && mask != full)
            {
                continue;
            }
            for (int last = 0; last < devices; last++)
            {
                double total = cost[Index(mask, last, layers)] + HopCost(last, Gateway);
                // On a tie prefer fewer shards: fewer processes and network hops that the model cannot see.
                if (!double.IsPositiveInfinity(total)
                    && (best is null || Better(total, BitOperations.PopCount((uint)mask), best.Value.Cost, BitOperations.PopCount((uint)best.Value.Mask))))
                {
                    best = (mask, last, total);
                }
            }
        }
        if (best is not { } found)
        {
            return null;
        }

        var slices = new List<(int, int, int)>();
        for (int mask = found.Mask, device = found.Last, end = layers; device != Gateway;)
        {
            int index = Index(mask, device, end);
            int start = previousEnd[index];
            slices.Add((device, start, end));
            mask &= ~(1 << device);
            (device, end) = (previousDevice[index], start);
        }
        slices.Reverse();
        return new RingPath(slices, found.Cost);
    }

    /// <summary>The devices' list order, each device holding a slice or being skipped (N²·L² work, for large N).</summary>
    public RingPath? SearchFixedOrder(bool useAllDevices)
    {
        var cost = new double[devices, layers + 1];
        var shards = new int[devices, layers + 1];
        var previousDevice = new int[devices, layers + 1];
        var previousEnd = new int[devices, layers + 1];
        for (int d = 0; d < devices; d++)
        {
            for (int covered = 0; covered <= layers; covered++)
            {
                cost[d, covered] = double.PositiveInfinity;
            }
        }

        for (int to = 0; to < devices; to++)
        {
            // With every device required the ring is the list itself: start at device 0, step to the next one only.
            int firstFrom = useAllDevices ? to - 1 : Gateway;
            for (int from = firstFrom; from < to; from++)
            {
                for (int start = from == Gateway ? 0 : 1; start < layers; start++)
                {
                    double here = from == Gateway ? (start == 0 ? 0 : double.PositiveInfinity) : cost[from, start];
                    if (double.IsPositiveInfinity(here))
                    {
                        continue;
                    }
                    double hop = HopCost(from, to);
                    int count = from == Gateway ? 1 : shards[from, start] + 1;
                    for (int end = start + 1; end <= layers; end++)
                    {
                        double slice = SliceCost(to, start, end);
                        if (double.IsPositiveInfinity(slice))
                        {
                            break;
                        }
                        double total = here + hop + slice;
                        if (Better(total, count, cost[to, end], shards[to, end]))
                        {
                            (cost[to, end], shards[to, end], previousDevice[to, end], previousEnd[to, end]) = (total, count, from, start);
                        }
                    }
                }
            }
        }

        (int Last, double Cost, int Shards)? best = null;
        for (int last = useAllDevices ? devices - 1 : 0; last < devices; last++)
        {
            double total = cost[last, layers] + HopCost(last, Gateway);
            if (!double.IsPositiveInfinity(total) && (best is null || Better(total, shards[last, layers], best.Value.Cost, best.Value.Shards)))
            {
                best = (last, total, shards[last, layers]);
            }
        }
        if (best is not { } found)
        {
            return null;
        }

        var slices = new List<(int, int, int)>();
        for (int device = found.Last, end = layers; device != Gateway;)
        {
            int start = previousEnd[device, end];
            slices.Add((device, start, end));
            (device, end) = (previousDevice[device, end], start);
        }
        slices.Reverse();
        return new RingPath(slices, found.Cost);
    }

    private void Extend(
        double[] cost, int[] previousDevice, int[] previousEnd,
        int from, int start, double here, int device, int mask, double hop)
    {
        for (int end = start + 1; end <= layers; end++)
        {
            double slice = SliceCost(device, start, end);
            if (double.IsPositiveInfinity(slice))
            {
                break;
            }
            int target = Index(mask, device, end);
            double total = here + hop + slice;
            if (total < cost[target])
            {
                (cost[target], previousDevice[target], previousEnd[target]) = (total, from, start);
            }
        }
    }

    private int Index(int mask, int last, int covered) => ((mask * devices) + last) * (layers + 1) + covered;

    private int SliceIndex(int device, int start, int end) => ((device * (layers + 1)) + start) * (layers + 1) + end;

    private double SliceCost(int device, int start, int end) => sliceTable[SliceIndex(device, start, end)];

    private double HopCost(int from, int to) => hopTable[from + 1, to + 1];

    /// <summary>Lower cost wins; costs equal up to rounding are decided by fewer shards.</summary>
    private static bool Better(double cost, int shards, double bestCost, int bestShards)
    {
        if (double.IsPositiveInfinity(bestCost))
        {
            return !double.IsPositiveInfinity(cost);
        }
        double tolerance = 1e-9 * Math.Max(1, Math.Abs(bestCost));
        return cost < bestCost - tolerance || (cost <= bestCost + tolerance && shards < bestShards);
    }
}
