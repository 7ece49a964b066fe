using System.Collections.Concurrent;
using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.ModelGeneration;

namespace Dnet.Shard.Profiling;

/// <summary>
/// Measures this device for the planner: usable memory, GFLOP/s in the compute dtype, memory bandwidth and disk read
/// speed, each replaced by <c>Dnet:Profile:*</c> configuration when set. Measured once per dtype (under a second), then
/// cached: the benchmarks would otherwise compete with inference.
/// </summary>
public sealed partial class DeviceProfiler(IConfiguration configuration, ILogger<DeviceProfiler> logger)
{
    private static readonly TimeSpan MatmulWarmup = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MatmulBudget = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<string, Lazy<Task<DeviceProfile>>> profiles = new();

    /// <summary>The profile for <paramref name="computeDtype"/> (bf16 or f32; empty means bf16). Returns a copy.</summary>
    public async Task<DeviceProfile> MeasureAsync(string computeDtype, CancellationToken cancellationToken)
    {
        string dtype = ProfileDtype.Normalize(computeDtype);
        var profile = profiles.GetOrAdd(dtype, d => new Lazy<Task<DeviceProfile>>(() => Task.Run(() => Measure(d), CancellationToken.None)));
        try
        {
            return (await profile.Value.WaitAsync(cancellationToken)).Clone();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed measurement is not cached: the next call measures again.
            profiles.TryRemove(new KeyValuePair<string, Lazy<Task<DeviceProfile>>>(dtype, profile));
            throw;
        }
    }

    private DeviceProfile Measure(string dtype)
    {
        var overrides = ProfileOverrides.From(configuration);
        string node = ShardNode.From(configuration);
        using var frame = DnetTelemetry.Source.StartActivity(FrameNames.StartupProfileDevice);
        frame?.SetTag(SpanAttributes.Node, node);
        frame?.SetTag(SpanAttributes.Dtype, dtype);
        var clock = Stopwatch.StartNew();
        var profile = new DeviceProfile
        {
            Node = node,
            ComputeDtype = dtype,
            CpuThreads = Environment.ProcessorCount,
            UsableMemoryBytes = overrides.UsableMemoryBytes ?? MemoryBenchmark.UsableBytes(),
            Gflops = overrides.Gflops ?? MatmulBenchmark.Gflops(dtype, MatmulWarmup, MatmulBudget),
            MemoryBandwidthGbps = overrides.MemoryBandwidthGbps ?? MemoryBenchmark.BandwidthGbps(),
            DiskReadGbps = overrides.DiskReadGbps ?? MeasureDisk(),
        };
        profile.Overridden.AddRange(overrides.FieldNames);
        LogProfile(profile.Node, dtype, profile.UsableMemoryBytes, profile.Gflops, profile.MemoryBandwidthGbps, profile.DiskReadGbps,
            string.Join(",", profile.Overridden), clock.Elapsed.TotalMilliseconds);
        return profile;
    }

    /// <summary>
    /// Reads from where the weights live: <c>Dnet:Profile:DiskProbeDirectory</c>, else the model cache that generated
    /// models are written to (a temporary directory may be RAM-backed and say nothing about the disk).
    /// </summary>
    private double MeasureDisk()
    {
        string directory = configuration["Dnet:Profile:DiskProbeDirectory"] is { Length: > 0 } configured
            ? configured
            : ModelResolver.DefaultCacheDirectory;
        Directory.CreateDirectory(directory);
        var (gbps, uncached) = DiskBenchmark.ReadGbps(directory);
        if (!uncached)
        {
            LogDiskCached(directory);
        }
        return gbps;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Device profile of {Node} for {Dtype}: {UsableMemoryBytes} bytes usable, {Gflops:F1} GFLOP/s, {MemoryBandwidthGbps:F1} GB/s memory, {DiskReadGbps:F2} GB/s disk (overridden: {Overridden}) in {ElapsedMs:F0} ms")]
    private partial void LogProfile(string node, string dtype, long usableMemoryBytes, double gflops, double memoryBandwidthGbps, double diskReadGbps, string overridden, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop the disk probe file in {Directory} from the page cache: the disk read figure is a cache read")]
    private partial void LogDiskCached(string directory);
}
