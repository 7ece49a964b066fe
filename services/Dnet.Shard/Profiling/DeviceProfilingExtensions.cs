namespace Dnet.Shard.Profiling;

/// <summary>DI wiring of the device profiler and the link prober (used by the GetProfile and MeasureLink RPCs).</summary>
public static class DeviceProfilingExtensions
{
    public static IHostApplicationBuilder AddDeviceProfiling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeviceProfiler>();
        builder.Services.AddSingleton<LinkProber>();
        return builder;
    }
}
