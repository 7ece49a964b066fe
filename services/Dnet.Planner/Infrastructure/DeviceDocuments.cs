using Dnet.Planner.Apis;
using Dnet.Planner.Topology;

namespace Dnet.Planner.Infrastructure;

/// <summary>Maps shard profiles (proto) to the API's documents and the solver's devices.</summary>
internal static class DeviceDocuments
{
    public static DeviceDocument ToDocument(this ReachedShard shard) => new(
        shard.Endpoint.Node,
        shard.Endpoint.Address,
        shard.Profile.UsableMemoryBytes,
        shard.Profile.Gflops,
        shard.Profile.MemoryBandwidthGbps,
        shard.Profile.DiskReadGbps,
        shard.Profile.ComputeDtype,
        shard.Profile.CpuThreads,
        [.. shard.Profile.Overridden]);

    // The planner names devices by the shard's resource name, not by what the shard calls itself, so that manual
    // assignments, links and addresses all use one name.
    public static DeviceCapacity ToCapacity(this ReachedShard shard) => new(
        shard.Endpoint.Node,
        shard.Profile.UsableMemoryBytes,
        shard.Profile.Gflops,
        shard.Profile.MemoryBandwidthGbps,
        shard.Profile.DiskReadGbps);
}
