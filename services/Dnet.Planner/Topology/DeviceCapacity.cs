namespace Dnet.Planner.Topology;

/// <summary>A device the solver may give layers to.</summary>
/// <param name="Node">Shard name, e.g. shard-0.</param>
/// <param name="UsableMemoryBytes">Memory the shard may fill with weights and KV cache.</param>
/// <param name="Gflops">Sustained matmul throughput in the compute dtype, 1e9 FLOP/s.</param>
/// <param name="MemoryBandwidthGbps">Memory bandwidth, 1e9 bytes/s.</param>
/// <param name="DiskReadGbps">Disk read speed, 1e9 bytes/s (load time only; not part of decode latency).</param>
public sealed record DeviceCapacity(string Node, long UsableMemoryBytes, double Gflops, double MemoryBandwidthGbps, double DiskReadGbps);
